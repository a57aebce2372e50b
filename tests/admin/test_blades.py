"""Enterprise applications and Roles and administrators: what their forms do and refuse."""

from __future__ import annotations

import re
from collections.abc import Callable

from signin.browser import Browser
from tenantry.app import Services
from tenantry.apps.first_party import GRAPH_APP_ID

from .conftest import Directory
from .test_authorization import GLOBAL_ROLE, _csrf

HELPDESK_ROLE = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


def test_graph_cannot_be_disabled_from_its_page(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The service's first-party guard, in words on the page (as Graph's PATCH refuses it)."""
    graph = next(s for s in services.apps.list_service_principals(directory.tenant.id) if s.app_id == GRAPH_APP_ID)
    browser = signed_in("global")
    data = {"csrf_token": _csrf(browser), "enabled": "no", "assignment_required": "no"}
    answer = browser.post(f"/admin/enterprise-apps/{graph.id}/properties", data)
    assert answer.status_code == 400 and "cannot be disabled" in answer.text
    assert services.apps.find_service_principal(directory.tenant.id, graph.id).account_enabled  # type: ignore[union-attr]


def test_assignment_required_is_saved(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """An Application Administrator turns *Assignment required?* on."""
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "enabled": "yes", "assignment_required": "yes"}
    sp = directory.payroll_sp
    assert browser.post(f"/admin/enterprise-apps/{sp.id}/properties", data).status_code == 303
    assert services.apps.find_service_principal(directory.tenant.id, sp.id).app_role_assignment_required  # type: ignore[union-attr]
    data["assignment_required"] = "no"
    browser.post(f"/admin/enterprise-apps/{sp.id}/properties", data)


def test_a_role_is_assigned_then_removed_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Add assignment by UPN, the member listed, Remove asks first, then the role is gone."""
    browser, spare = signed_in("global"), directory.people["spare"]
    added = browser.post(
        f"/admin/roles/{HELPDESK_ROLE}/assignments",
        {"csrf_token": _csrf(browser), "principal": spare.user_principal_name},
    )
    assert added.status_code == 303
    page = browser.get(f"/admin/roles/{HELPDESK_ROLE}").text
    assert spare.display_name in page
    link = re.search(
        rf'href="(/admin/roles/{HELPDESK_ROLE}/assignments/[0-9a-f-]+/remove)" aria-label="Remove {spare.display_name}',
        page,
    )
    assert link
    confirm = browser.get(link.group(1))
    assert confirm.status_code == 200 and "Remove assignment?" in confirm.text
    assert browser.post(link.group(1), {"csrf_token": _csrf(browser)}).status_code == 303
    held = [a.role_definition_id for a in services.roles.list_role_assignments(directory.tenant.id, spare.id)]
    assert HELPDESK_ROLE not in held


def test_an_unknown_principal_is_explained(signed_in: Callable[[str], Browser]) -> None:
    """A UPN nobody has: 400 with the reason, nothing assigned."""
    browser = signed_in("global")
    answer = browser.post(
        f"/admin/roles/{GLOBAL_ROLE}/assignments", {"csrf_token": _csrf(browser), "principal": "ghost@contoso.example"}
    )
    assert answer.status_code == 400 and "no user &#39;ghost@contoso.example&#39;" in answer.text


def test_role_members_are_hidden_from_those_who_may_not_read_them(signed_in: Callable[[str], Browser]) -> None:
    """A Helpdesk Administrator sees the roles but not who holds them (no count, no link)."""
    page = signed_in("helpdesk").get("/admin/roles").text
    assert "Global Administrator" in page and f"/admin/roles/{GLOBAL_ROLE}" not in page


def test_the_command_bar_follows_the_tables(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """Helpdesk Administrator on a Global Administrator: reset and revoke disabled with their reasons, no
    Block sign-in (they may block nobody); User Administrator on a plain user: all three enabled."""
    on_global = signed_in("helpdesk").get(f"/admin/users/{directory.people['global'].id}").text
    assert 'id="revoke-sessions" disabled aria-describedby="revoke-sessions-reason"' in on_global
    assert "You can&#39;t sign this user out everywhere: they hold Global Administrator" in on_global
    assert 'id="sign-in"' not in on_global
    on_plain = signed_in("users").get(f"/admin/users/{directory.people['plain'].id}").text
    for key in ("reset-password", "revoke-sessions", "sign-in"):
        assert f'<button type="submit" id="{key}">' in on_plain
    assert ">Block sign-in<" in on_plain


def test_blocking_is_saved_and_said(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Block, the notice, then Unblock (the same button, renamed)."""
    browser, spare = signed_in("global"), directory.people["spare"]
    assert browser.post(f"/admin/users/{spare.id}/sign-in", {"csrf_token": _csrf(browser)}).status_code == 303
    page = browser.get(f"/admin/users/{spare.id}?done=blocked").text
    assert "Sign-in blocked." in page and ">Unblock sign-in<" in page
    assert not services.users.find_tenant_user(directory.tenant.id, spare.id).account_enabled  # type: ignore[union-attr]
    browser.post(f"/admin/users/{spare.id}/sign-in", {"csrf_token": _csrf(browser)})
    assert services.users.find_tenant_user(directory.tenant.id, spare.id).account_enabled  # type: ignore[union-attr]


def test_a_user_is_assigned_to_an_app_and_listed(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """*Add user/group* with Default Access: the user shows under *Users and groups*; an unknown UPN is explained."""
    browser, plain = signed_in("apps"), directory.people["plain"]
    sp = directory.payroll_sp
    data = {"csrf_token": _csrf(browser), "principal": plain.user_principal_name}
    assert browser.post(f"/admin/enterprise-apps/{sp.id}/assignments", data).status_code == 303
    page = browser.get(f"/admin/enterprise-apps/{sp.id}").text
    assert f"<td>{plain.display_name}</td><td>User</td><td>Default Access</td>" in page
    data["principal"] = "ghost@contoso.example"
    answer = browser.post(f"/admin/enterprise-apps/{sp.id}/assignments", data)
    assert answer.status_code == 400 and "ghost@contoso.example" in answer.text


def test_no_assign_form_on_graph_for_an_application_administrator(
    signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Graph's roles are out of an Application Administrator's reach: its page offers no *Add user/group*."""
    page = signed_in("apps").get(f"/admin/enterprise-apps/{directory.graph_sp.id}").text
    assert (
        "Microsoft Graph" in page
        and 'action="/admin/enterprise-apps/' + directory.graph_sp.id + '/assignments"' not in page
    )
