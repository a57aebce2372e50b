"""Every admin route × role: allowed or refused by the same `CallerRights` checks as Graph; CSRF on every
form; a new secret (and a temporary password) shown once, in the POST's answer only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from signin.browser import Browser
from tenantry.app import Services

from .conftest import Directory

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# route → {person: expected status}; `app` and `user` are filled in per test.
READS = {
    "/admin": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/apps": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/credentials": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/users": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/users/{user}": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/enterprise-apps": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/enterprise-apps/{sp}": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/roles": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/roles/{role}": {"global": 200, "apps": 403, "helpdesk": 403, "users": 403, "plain": 403},
    # Monitoring: Graph's auditLogs rights (AUDIT_READ); the home page's expiring credentials need APP_READ.
    "/admin/monitoring/sign-ins": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/monitoring/audit-logs": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    # Settings (the full table, with Graph's rights, is in test_settings.py); no role rule: Global only.
    "/admin/settings": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/settings/lockout": {"global": 200, "apps": 403, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/settings/sspr": {"global": 200, "apps": 403, "helpdesk": 403, "users": 403, "plain": 403},
}
WRITES = {
    "/admin/apps/{app}/credentials/secrets": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403},
    "/admin/users/{user}/reset-password": {"global": 200, "apps": 403, "helpdesk": 200, "users": 200},
    "/admin/users/{user}/revoke-sessions": {"global": 303, "apps": 403, "helpdesk": 303, "users": 303},
    # Blocks the plain user, then (User Administrator) unblocks them: the order of the callers matters.
    "/admin/users/{user}/sign-in": {"global": 303, "apps": 403, "helpdesk": 403, "users": 303},
    "/admin/enterprise-apps/{sp}/properties": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/enterprise-apps/{sp}/assignments": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    # Microsoft Graph is first-party: assigning on it needs CONSENT_ANY_API (Global, Privileged Role Admin).
    "/admin/enterprise-apps/{graph_sp}/assignments": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    # Making oneself (or anyone) Global Administrator: only those who already may assign roles.
    "/admin/roles/{global_role}/assignments": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    # CLI-only settings: Global Administrator only (an empty form changes nothing, and is audited).
    "/admin/settings/lockout": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/password-policy/banned": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
}


def _csrf(browser: Browser) -> str:
    found = CSRF.search(browser.get("/admin").text)
    assert found, "no CSRF token on the home page"
    return found.group(1)


GLOBAL_ROLE = "62e90394-69f5-4237-9190-012177145e10"


def _path(route: str, directory: Directory, target: str = "plain") -> str:
    return route.format(
        app=directory.payroll.id,
        user=directory.people[target].id,
        sp=directory.payroll_sp.id,
        graph_sp=directory.graph_sp.id,
        role=GLOBAL_ROLE,
        global_role=GLOBAL_ROLE,
    )


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in READS.items() for w, s in t.items()])
def test_reads(signed_in: Callable[[str], Browser], directory: Directory, route: str, who: str, status: int) -> None:
    """Pages: what Graph's read checks allow (users are readable by every member, once in the center)."""
    response = signed_in(who).get(_path(route, directory))
    assert response.status_code == status, response.text[:400]
    if status == 403:
        assert "Requires one of the directory roles" in response.text or "holds no directory role" in response.text


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in WRITES.items() for w, s in t.items()])
def test_writes(signed_in: Callable[[str], Browser], directory: Directory, route: str, who: str, status: int) -> None:
    """Forms: app credentials need an app administrator; resets follow the who-may-reset table."""
    browser = signed_in(who)
    data = {"csrf_token": _csrf(browser), "description": "matrix", "expires": "90", "deliver": "show"}
    # Role assignments: each administrator names themself (a self-grant), the Global Administrator a spare user.
    grantee = directory.people["spare" if who == "global" else who].user_principal_name
    data |= {"enabled": "yes", "assignment_required": "no", "principal": grantee}
    response = browser.post(_path(route, directory), data)
    assert response.status_code == status, response.text[:400]


@pytest.mark.parametrize("who", ["helpdesk", "users", "apps"])
def test_nobody_below_global_resets_a_global_administrator(
    signed_in: Callable[[str], Browser], directory: Directory, who: str
) -> None:
    """The escalation path: a reset of a Global Administrator (even forged past the disabled button)."""
    browser = signed_in(who)
    response = browser.post(
        _path("/admin/users/{user}/reset-password", directory, "global"), {"csrf_token": _csrf(browser)}
    )
    assert response.status_code == 403


def test_a_helpdesk_administrator_cannot_reset_themselves_into_anything_new(
    signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Their own row: Helpdesk Administrators may reset Helpdesk Administrators (the table), nothing more;
    an Application Administrator may not reset their own password here (no reset rights at all)."""
    apps = signed_in("apps")
    page = apps.get(_path("/admin/users/{user}", directory, "apps"))
    assert 'id="reset-password"' not in page.text
    own = apps.post(_path("/admin/users/{user}/reset-password", directory, "apps"), {"csrf_token": _csrf(apps)})
    assert own.status_code == 403


def test_every_form_needs_its_csrf_token(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """Without the token, or with another administrator's, the post is refused and nothing changes."""
    browser, other = signed_in("global"), signed_in("apps")
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": _csrf(other)}):
        response = browser.post(_path("/admin/apps/{app}/credentials/secrets", directory), {**data, "expires": "90"})
        assert response.status_code == 400 and "AADSTS" in response.text
        reset = browser.post(_path("/admin/users/{user}/reset-password", directory), data)
        assert reset.status_code == 400


def test_a_new_secret_is_shown_once_in_the_post_answer(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The value is in the POST's answer (200, no redirect), never on a later page nor in any URL."""
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "description": "once", "expires": "180", "deliver": "show"}
    answer = browser.post(_path("/admin/apps/{app}/credentials/secrets", directory), data)
    assert answer.status_code == 200 and "will not be shown again" in answer.text
    value = re.search(r'id="secret-value" class="secret" readonly value="([^"]+)"', answer.text)
    assert value and len(value.group(1)) > 30
    for route in ("/admin/apps/{app}/credentials", "/admin/apps/{app}", "/admin/apps"):
        assert value.group(1) not in browser.get(_path(route, directory)).text
    assert "cache-control" in answer.headers and "no-store" in answer.headers["cache-control"]


def test_a_lifetime_over_the_tenant_policy_is_refused_with_its_message(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The policy's own error, its code in small print, the form kept."""
    from datetime import timedelta

    services.credentials.set_policy(directory.tenant.id, timedelta(days=90))
    try:
        browser = signed_in("apps")
        data = {"csrf_token": _csrf(browser), "description": "long", "expires": "365", "deliver": "show"}
        answer = browser.post(_path("/admin/apps/{app}/credentials/secrets", directory), data)
    finally:
        services.credentials.set_policy(directory.tenant.id, None)
    assert answer.status_code == 400
    assert "exceeds the max value allowed" in answer.text and "CredentialInvalidLifetimeAsPerAppPolicy" in answer.text


def test_a_one_time_link_instead_of_the_value(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """*Create one-time link*: the page holds a link, not the value."""
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "description": "shared", "expires": "90", "deliver": "link"}
    answer = browser.post(_path("/admin/apps/{app}/credentials/secrets", directory), data)
    assert answer.status_code == 200 and "/share/" in answer.text and 'id="secret-value"' not in answer.text


def test_the_list_flags_the_expired_secret(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """Seed 002: the app's credentials status reads "Expired"."""
    page = signed_in("apps").get("/admin/apps?search=payr")
    assert "Payroll" in page.text and ">Expired<" in page.text


def test_the_reset_button_follows_the_table(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """Seed 004: disabled with its reason on a Global Administrator, enabled on a plain user."""
    helpdesk = signed_in("helpdesk")
    on_global = helpdesk.get(_path("/admin/users/{user}", directory, "global")).text
    assert re.search(
        r'<button[^>]*id="reset-password"[^>]*disabled aria-describedby="reset-password-reason"', on_global
    )
    assert (
        "they hold Global Administrator; only Global Administrators and Privileged Authentication Administrators can"
        in on_global
    )
    on_plain = helpdesk.get(_path("/admin/users/{user}", directory)).text
    assert '<button type="submit" id="reset-password">' in on_plain
