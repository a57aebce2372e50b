"""Settings: each page and form under the rights of its Graph or CLI counterpart (Global Administrator only
where there is no role rule), a change stored and audited in the administrator's name, the services' own
refusals in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from signin.browser import Browser
from tenantry.app import Services
from tenantry.audit.events import AuditActivity
from tenantry.conditional_access.models import (
    ALL,
    ApplicationCondition,
    ConditionalAccessPolicy,
    PolicyState,
    UserCondition,
)
from tenantry.conditional_access.validation import PolicyDraft

from .conftest import Directory
from .test_authorization import _csrf

PEOPLE = ("global", "apps", "helpdesk", "users", "plain")
GLOBAL_ONLY = {"global": 200, "apps": 403, "helpdesk": 403, "users": 403, "plain": 403}
# route → {person: expected status}
READS = {
    "/admin/settings": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/settings/secret-lifetime": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    # Graph lets every member read domains (passwordValidityPeriodInDays).
    "/admin/settings/password-policy": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/settings/lockout": GLOBAL_ONLY,
    "/admin/settings/sspr": GLOBAL_ONLY,
    "/admin/settings/conditional-access": GLOBAL_ONLY,
    "/admin/settings/seamless-sso": GLOBAL_ONLY,
}
WRITES = {
    "/admin/settings/secret-lifetime": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/password-policy/expiry": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/password-policy/banned": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/lockout": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/sspr": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/settings/conditional-access/{policy}/state": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
}
# Fields every form accepts, each a no-op or a harmless value.
FIELDS = {
    "max_days": "",
    "never_expire": "yes",
    "add": "",
    "remove": "",
    "threshold": "10",
    "duration_seconds": "60",
    "methods_required": "1",
    "method_email": "yes",
    "method_mobileAppCode": "yes",
    "scope": "off",
    "require_registration": "yes",
    "state": "disabled",
}


@pytest.fixture(scope="module")
def policy(services: Services, directory: Directory) -> ConditionalAccessPolicy:
    """A disabled policy on the spare user (never enforced: the tests switch it to Off or Report-only)."""
    draft = PolicyDraft(
        "Spare needs MFA", "disabled", UserCondition((directory.people["spare"].id,)), ApplicationCondition((ALL,)),
        built_in_controls=("mfa",),
    )  # fmt: skip
    return services.conditional_access.create_policy(directory.tenant.id, draft)


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in READS.items() for w, s in t.items()])
def test_reads(signed_in: Callable[[str], Browser], route: str, who: str, status: int) -> None:
    """Pages: Graph's read checks (APP_READ, DOMAIN_READ, CA_POLICY_READ, SEAMLESS_SSO_READ), else Global
    Administrator only."""
    response = signed_in(who).get(route)
    assert response.status_code == status, response.text[:400]
    if status == 403:
        assert "Requires one of the directory roles" in response.text or "holds no directory role" in response.text


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in WRITES.items() for w, s in t.items()])
def test_writes(
    signed_in: Callable[[str], Browser], policy: ConditionalAccessPolicy, route: str, who: str, status: int
) -> None:
    """Forms: DOMAIN_UPDATE and CA_POLICY_UPDATE as Graph's PATCHes; the CLI-only settings Global
    Administrator only."""
    browser = signed_in(who)
    response = browser.post(route.format(policy=policy.id), {"csrf_token": _csrf(browser), **FIELDS})
    assert response.status_code == status, response.text[:400]


def test_every_settings_form_needs_its_csrf_token(
    signed_in: Callable[[str], Browser], policy: ConditionalAccessPolicy
) -> None:
    """Without the token nothing is changed."""
    browser = signed_in("global")
    for route in WRITES:
        response = browser.post(route.format(policy=policy.id), {**FIELDS, "csrf_token": "forged"})
        assert response.status_code == 400 and "AADSTS" in response.text


def _latest(services: Services, directory: Directory, activity: AuditActivity) -> tuple[str, str]:
    record = next(r for r in services.audit.list_records(directory.tenant.id) if r.activity == activity)
    return record.actor.id, record.result


def test_a_lockout_change_is_stored_and_audited(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Threshold, duration and a blocked range, then unblocked; the service's limits in words."""
    browser, tenant = signed_in("global"), directory.tenant.id
    data = {"csrf_token": _csrf(browser), "threshold": "7", "duration_seconds": "120", "block": "203.0.113.0/24"}
    assert browser.post("/admin/settings/lockout", data).status_code == 303
    stored = services.lockout.policy_for(tenant)
    assert (stored.threshold, stored.duration_seconds, stored.blocked_ranges) == (7, 120, ("203.0.113.0/24",))
    assert _latest(services, directory, AuditActivity.SET_LOCKOUT_POLICY)[0] == directory.people["global"].id
    page = browser.get("/admin/settings/lockout?saved=1").text
    assert "Saved." in page and 'value="203.0.113.0/24"' in page
    unblock = {"csrf_token": _csrf(browser), "unblock_1": "203.0.113.0/24"}
    assert browser.post("/admin/settings/lockout", unblock).status_code == 303
    assert services.lockout.policy_for(tenant).blocked_ranges == ()
    refused = browser.post("/admin/settings/lockout", {"csrf_token": _csrf(browser), "threshold": "0"})
    assert refused.status_code == 400 and "threshold" in refused.text
    services.lockout.set_policy(tenant, threshold=10, duration_seconds=60)


def test_the_secret_lifetime_and_password_policy_are_stored_and_audited(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The cap on new secrets, password expiry and the banned list, each through its service."""
    browser, tenant = signed_in("global"), directory.tenant.id
    assert (
        browser.post("/admin/settings/secret-lifetime", {"csrf_token": _csrf(browser), "max_days": "90"}).status_code
        == 303
    )
    policy = services.credentials.find_policy(tenant)
    assert policy is not None and policy.max_password_lifetime is not None and policy.max_password_lifetime.days == 90
    assert _latest(services, directory, AuditActivity.UPDATE_POLICY)[0] == directory.people["global"].id
    browser.post("/admin/settings/secret-lifetime", {"csrf_token": _csrf(browser), "max_days": ""})
    assert services.credentials.find_policy(tenant).max_password_lifetime is None  # type: ignore[union-attr]
    expiry = {"csrf_token": _csrf(browser), "never_expire": "no", "validity_days": "90"}
    assert browser.post("/admin/settings/password-policy/expiry", expiry).status_code == 303
    banned = {"csrf_token": _csrf(browser), "add": "contoso\nfabrikam"}
    assert browser.post("/admin/settings/password-policy/banned", banned).status_code == 303
    stored = services.password_policies.policy_for(tenant)
    assert stored.validity_days == 90 and {"contoso", "fabrikam"} <= set(stored.banned_terms)
    assert _latest(services, directory, AuditActivity.SET_PASSWORD_POLICY)[0] == directory.people["global"].id
    services.password_policies.set_policy(tenant, never_expire=True, banned_remove=("contoso", "fabrikam"))


def test_sspr_is_stored_and_its_limits_explained(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Enabled for all with two methods; one method with two required is refused in the service's words."""
    browser, tenant = signed_in("global"), directory.tenant.id
    data = {"csrf_token": _csrf(browser), **FIELDS, "scope": "all", "methods_required": "2"}
    assert browser.post("/admin/settings/sspr", data).status_code == 303
    stored = services.sspr_policies.policy_for(tenant)
    assert stored.scope == "all" and stored.methods_required == 2
    assert _latest(services, directory, AuditActivity.SET_SSPR_POLICY)[0] == directory.people["global"].id
    bad = {"csrf_token": _csrf(browser), **FIELDS, "method_mobileAppCode": "", "methods_required": "2"}
    refused = browser.post("/admin/settings/sspr", bad)
    assert refused.status_code == 400 and "methods are required" in refused.text
    browser.post("/admin/settings/sspr", {"csrf_token": _csrf(browser), **FIELDS})


def test_a_conditional_access_policy_is_switched_to_report_only(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory, policy: ConditionalAccessPolicy
) -> None:
    """update_policy with the new state, audited; creation stays with Graph (the page says so)."""
    browser = signed_in("global")
    page = browser.get("/admin/settings/conditional-access").text
    assert "Spare needs MFA" in page and "through Microsoft Graph" in page
    data = {"csrf_token": _csrf(browser), "state": "enabledForReportingButNotEnforced"}
    assert browser.post(f"/admin/settings/conditional-access/{policy.id}/state", data).status_code == 303
    stored = services.conditional_access.find_policy(directory.tenant.id, policy.id)
    assert stored is not None and stored.state == PolicyState.REPORT_ONLY
    assert _latest(services, directory, AuditActivity.UPDATE_CA_POLICY)[0] == directory.people["global"].id
    bad = browser.post(
        f"/admin/settings/conditional-access/{policy.id}/state", {"csrf_token": _csrf(browser), "state": "on"}
    )
    assert bad.status_code == 400 and "Choose On, Off or Report-only" in bad.text
    services.conditional_access.update_policy(directory.tenant.id, policy.id, lambda d: replace(d, state="disabled"))


def test_seamless_sso_is_read_only(signed_in: Callable[[str], Browser]) -> None:
    """No realm: disabled, and no form at all."""
    page = signed_in("global").get("/admin/settings/seamless-sso").text
    assert "disabled" in page and '<form method="post" action="/admin/settings' not in page
