"""Groups (issue 15 item 4): list, New group, members added and removed, every route × role under Graph's
checks; a role-assignable group (one holding Global Administrator here) is changed only by who may assign
roles, so nobody below makes themself a member and so a Global Administrator."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from signin.browser import Browser
from tenantry.app import Services
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.directory.groups import NewGroup
from tenantry.directory.models import Group

from .conftest import Directory

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def groups(services: Services, directory: Directory) -> tuple[Group, Group]:
    """`staff` (ordinary) and `tier0` (role-assignable, holding Global Administrator)."""
    ctx = AuditContext(SYSTEM, datetime.now(UTC))
    staff = services.groups.create_group(directory.tenant.id, NewGroup("Staff", "staff"), ctx=ctx)
    tier0 = services.groups.create_group(
        directory.tenant.id, NewGroup("Tier 0 admins", "tier0", is_assignable_to_role=True), ctx=ctx
    )
    services.roles.assign_role(directory.tenant.id, tier0.id, "Global Administrator")
    return staff, tier0


READS = {
    "/admin/groups": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/groups/{staff}": {"global": 200, "apps": 200, "helpdesk": 200, "users": 200, "plain": 403},
    "/admin/groups/new": {"global": 200, "apps": 403, "helpdesk": 403, "users": 200, "plain": 403},
    "/admin/groups/{staff}/delete": {"global": 200, "apps": 403, "helpdesk": 403, "users": 200, "plain": 403},
    "/admin/groups/{tier0}/delete": {"global": 200, "apps": 403, "helpdesk": 403, "users": 403, "plain": 403},
}
WRITES = {
    "/admin/groups/new": {"global": 303, "apps": 403, "helpdesk": 403, "users": 303},
    # Each caller names themself.
    "/admin/groups/{staff}/members": {"global": 303, "apps": 403, "helpdesk": 403, "users": 303},
    # The escalation path: membership of a group holding Global Administrator.
    "/admin/groups/{tier0}/members": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    # Deleting a group holding Global Administrator takes the role from its members: role administrators only.
    "/admin/groups/{tier0}/delete": {"apps": 403, "helpdesk": 403, "users": 403},
}


def _csrf(browser: Browser) -> str:
    found = CSRF.search(browser.get("/admin").text)
    assert found
    return found.group(1)


def _path(route: str, groups: tuple[Group, Group]) -> str:
    return route.format(staff=groups[0].id, tier0=groups[1].id)


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in READS.items() for w, s in t.items()])
def test_reads(
    signed_in: Callable[[str], Browser], groups: tuple[Group, Group], route: str, who: str, status: int
) -> None:
    """Graph's GROUP_READ (every administrator role reads groups); New group for who may create one."""
    response = signed_in(who).get(_path(route, groups))
    assert response.status_code == status, response.text[:400]


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in WRITES.items() for w, s in t.items()])
def test_writes(
    signed_in: Callable[[str], Browser],
    directory: Directory,
    groups: tuple[Group, Group],
    route: str,
    who: str,
    status: int,
) -> None:
    """Graph's check_group_change for the same call; a refusal says which roles would allow it."""
    browser = signed_in(who)
    data = {
        "csrf_token": _csrf(browser),
        "name": f"Made by {who}",
        "principal": directory.people[who].user_principal_name,
    }
    response = browser.post(_path(route, groups), data)
    assert response.status_code == status, response.text[:400]
    if status == 403:
        assert "Requires one of" in response.text


def test_a_role_assignable_group_needs_a_role_administrator(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """A User Administrator sees the choice disabled with its reason, and a forged post is refused."""
    users = signed_in("users")
    page = users.get("/admin/groups/new").text
    assert 'disabled aria-describedby="role-reason"' in page and "Privileged Role Administrators" in page
    forged = users.post("/admin/groups/new", {"csrf_token": _csrf(users), "name": "Sneaky", "role_assignable": "yes"})
    assert forged.status_code == 403
    assert all(g.display_name != "Sneaky" for g in services.groups.list_groups(directory.tenant.id))
    admin = signed_in("global")
    made = admin.post("/admin/groups/new", {"csrf_token": _csrf(admin), "name": "Helpers", "role_assignable": "yes"})
    assert made.status_code == 303
    group = next(g for g in services.groups.list_groups(directory.tenant.id) if g.display_name == "Helpers")
    assert group.is_assignable_to_role and made.headers["location"] == f"/admin/groups/{group.id}"


def test_members_added_then_removed_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], groups: tuple[Group, Group]
) -> None:
    """Add by UPN, a duplicate and an unknown UPN explained, remove after the confirmation page."""
    browser = signed_in("users")
    base = f"/admin/groups/{groups[0].id}"
    data = {"csrf_token": _csrf(browser), "principal": "spare@contoso.example"}
    assert browser.post(f"{base}/members", data).status_code == 303
    page = browser.get(base).text
    assert "Sam Spare" in page and 'aria-label="Remove Sam Spare from Staff"' in page
    again = browser.post(f"{base}/members", {**data, "csrf_token": _csrf(browser)})
    assert again.status_code == 400 and "already exist" in again.text
    unknown = browser.post(f"{base}/members", {**data, "csrf_token": _csrf(browser), "principal": "x@contoso.example"})
    assert unknown.status_code == 400 and "No user" in unknown.text
    spare = next(m for m in services.groups.list_members(groups[0]) if m.display_name == "Sam Spare")
    confirm = browser.get(f"{base}/members/{spare.id}/remove")
    assert confirm.status_code == 200 and "Remove member?" in confirm.text
    assert browser.post(f"{base}/members/{spare.id}/remove", {"csrf_token": _csrf(browser)}).status_code == 303
    assert all(m.id != spare.id for m in services.groups.list_members(groups[0]))


def test_no_member_form_on_a_role_assignable_group_below_role_administration(
    signed_in: Callable[[str], Browser], groups: tuple[Group, Group]
) -> None:
    """The form is absent, the reason shown, for a User Administrator."""
    page = signed_in("users").get(f"/admin/groups/{groups[1].id}").text
    assert 'name="principal"' not in page and "role-assignable" in page


def test_a_group_deleted_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """*Delete group* leads to the confirmation page; Delete removes it and goes back to the list."""
    ctx = AuditContext(SYSTEM, datetime.now(UTC))
    group = services.groups.create_group(directory.tenant.id, NewGroup("Short-lived", "shortlived"), ctx=ctx)
    browser = signed_in("users")
    assert f'href="/admin/groups/{group.id}/delete"' in browser.get(f"/admin/groups/{group.id}").text
    confirm = browser.get(f"/admin/groups/{group.id}/delete")
    assert confirm.status_code == 200 and "Delete group?" in confirm.text
    done = browser.post(f"/admin/groups/{group.id}/delete", {"csrf_token": _csrf(browser)})
    assert done.status_code == 303 and done.headers["location"] == "/admin/groups"
    assert services.groups.find_group(directory.tenant.id, group.id) is None
