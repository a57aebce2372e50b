"""Who may reset whose password (entra-reference §5.6): every actor role × every target role of the
catalogue, against the table written out here column by column, plus the checks on `CallerRights`."""

from __future__ import annotations

import pytest

from tenantry.directory.authorization import Action, AuthorizationError, Caller, CallerRights
from tenantry.directory.password_reset import (
    may_reset_password,
    may_update_sensitive_attributes,
    roles_that_may_reset,
)
from tenantry.directory.roles import BUILT_IN_ROLES, RoleDefinition, find_role

NO_ROLE = "(no admin role)"
EVERYONE = "(everyone)"

# §5.6 read down its columns: actor role → the target roles it reaches. A target role the table does not
# name ("all other built-in roles") is reached by Privileged Authentication and Global Administrators only.
REACHES: dict[str, set[str]] = {
    "Password Administrator": {NO_ROLE, "Directory Readers", "Guest Inviter", "Password Administrator"},
    "Helpdesk Administrator": {
        NO_ROLE,
        "Directory Readers",
        "Guest Inviter",
        "Helpdesk Administrator",
        "Message Center Reader",
        "Password Administrator",
        "Reports Reader",
        "User Experience Success Manager",
        "Usage Summary Reports Reader",
    },
    "Authentication Administrator": {
        NO_ROLE,
        "Authentication Administrator",
        "Directory Readers",
        "Guest Inviter",
        "Message Center Reader",
        "Password Administrator",
        "Reports Reader",
        "User Experience Success Manager",
        "Usage Summary Reports Reader",
    },
    "User Administrator": {
        NO_ROLE,
        "Directory Readers",
        "Groups Administrator",
        "Guest Inviter",
        "Helpdesk Administrator",
        "Message Center Reader",
        "Password Administrator",
        "Reports Reader",
        "User Administrator",
        "User Experience Success Manager",
        "Usage Summary Reports Reader",
    },
    "Privileged Authentication Administrator": {EVERYONE},
    "Global Administrator": {EVERYONE},
}
SENSITIVE_ACTORS = {
    "Authentication Administrator",
    "User Administrator",
    "Privileged Authentication Administrator",
    "Global Administrator",
}
NAMES = [r.display_name for r in BUILT_IN_ROLES]


def role(name: str) -> RoleDefinition:
    """A built-in role by display name."""
    found = find_role(name)
    assert found is not None, name
    return found


def expected(actor: str, target: str) -> bool:
    """What the doc's table says for one cell."""
    reached = REACHES.get(actor, set())
    return EVERYONE in reached or target in reached


def targets(target: str) -> list[RoleDefinition]:
    """The target's roles for a row name."""
    return [] if target == NO_ROLE else [role(target)]


@pytest.mark.parametrize("target", [NO_ROLE, *NAMES])
@pytest.mark.parametrize("actor", NAMES)
def test_every_actor_role_against_every_target_role(actor: str, target: str) -> None:
    """Each cell of the table, for every role of the catalogue as actor and as target."""
    assert may_reset_password([role(actor)], targets(target)) is expected(actor, target)
    sensitive = expected(actor, target) and actor in SENSITIVE_ACTORS
    assert may_update_sensitive_attributes([role(actor)], targets(target)) is sensitive


@pytest.mark.parametrize("target", [NO_ROLE, *NAMES])
def test_roles_that_may_reset_list_each_allowed_actor_in_catalogue_order(target: str) -> None:
    """The roles named in a refusal are exactly the allowed actors, in catalogue order."""
    listed = [r.display_name for r in roles_that_may_reset(targets(target))]
    assert listed == [name for name in NAMES if expected(name, target)]


def test_the_most_protected_role_of_the_target_decides() -> None:
    """A target who is Helpdesk and Authentication Administrator: a Helpdesk Administrator reaches only the
    first role, an Authentication Administrator only the second, a User Administrator not the second; so only
    one role reaching both (PAA, GA) may, even for an actor holding both partial roles."""
    target = [role("Helpdesk Administrator"), role("Authentication Administrator")]
    assert not may_reset_password([role("Helpdesk Administrator")], target)
    assert not may_reset_password([role("Authentication Administrator")], target)
    assert not may_reset_password([role("Helpdesk Administrator"), role("Authentication Administrator")], target)
    assert [r.display_name for r in roles_that_may_reset(target)] == [
        "Global Administrator",
        "Privileged Authentication Administrator",
    ]
    reader_and_inviter = [role("Directory Readers"), role("Guest Inviter")]
    assert may_reset_password([role("Password Administrator")], reader_and_inviter)


def test_any_of_the_actors_roles_may_allow() -> None:
    """An actor holding several roles may reset when one of them is allowed."""
    actor = [role("Global Reader"), role("User Administrator")]
    assert may_reset_password(actor, [role("Groups Administrator")])
    assert not may_reset_password([role("Global Reader"), role("Application Administrator")], [])


def test_member_of_a_role_assignable_group_is_reset_only_by_privileged_roles() -> None:
    """A user without a role who is a member of a role-assignable group: PAA and GA only."""
    allowed = roles_that_may_reset([], target_in_role_assignable_group=True)
    assert [r.display_name for r in allowed] == ["Global Administrator", "Privileged Authentication Administrator"]
    assert not may_reset_password([role("User Administrator")], [], target_in_role_assignable_group=True)
    assert may_reset_password([role("User Administrator")], [])


def rights(*roles: str, permissions: tuple[str, ...] = ("User.ReadWrite.All",), app: bool = False) -> CallerRights:
    """A caller's rights: a delegated user (scopes) or an app (application permissions), holding roles."""
    caller = Caller("tenant", "caller", app, frozenset(permissions))
    return CallerRights(caller, tuple(role(r) for r in roles), frozenset())


@pytest.mark.parametrize(
    "scope",
    [
        "User.ReadWrite.All",
        "Directory.AccessAsUser.All",
        "UserAuthenticationMethod.ReadWrite.All",
        "User-PasswordProfile.ReadWrite.All",
    ],
)
def test_delegated_reset_needs_a_scope_and_the_table(scope: str) -> None:
    """A Helpdesk Administrator with a covering scope resets a plain user, not a User Administrator; the
    refusal names the roles that would be allowed."""
    helpdesk = rights("Helpdesk Administrator", permissions=(scope,))
    helpdesk.check_password_reset([role("Password Administrator")])
    with pytest.raises(AuthorizationError) as refused:
        helpdesk.check_password_reset([role("User Administrator")])
    assert refused.value.action == Action.USER_PASSWORD
    assert refused.value.message == (
        "Insufficient privileges to complete the operation. Requires one of the directory roles: "
        "Global Administrator, Privileged Authentication Administrator, User Administrator."
    )


@pytest.mark.parametrize("scope", ["User.Read", "User.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"])
def test_delegated_reset_without_a_covering_scope_names_the_scopes(scope: str) -> None:
    """Even a Global Administrator needs a scope that covers `users/password/update`."""
    with pytest.raises(AuthorizationError) as refused:
        rights("Global Administrator", permissions=(scope,)).check_password_reset([])
    assert "Requires one of the delegated permissions:" in refused.value.message
    assert "User-PasswordProfile.ReadWrite.All" in refused.value.message


def test_session_revocation_follows_the_same_table() -> None:
    """Signing a user out everywhere: the reset table, with a scope covering `invalidateAllRefreshTokens`."""
    helpdesk = rights("Helpdesk Administrator")
    helpdesk.check_session_revocation([role("Password Administrator")])
    with pytest.raises(AuthorizationError, match=r"Privileged Authentication Administrator\."):
        helpdesk.check_session_revocation([role("Global Reader")])
    with pytest.raises(AuthorizationError, match="delegated permissions"):
        rights("Helpdesk Administrator", permissions=("User-PasswordProfile.ReadWrite.All",)).check_session_revocation(
            []
        )


def test_delegated_user_without_a_role_is_refused() -> None:
    """Scope alone is not enough: a user without a role resets nobody's password."""
    with pytest.raises(AuthorizationError, match="Password Administrator"):
        rights().check_password_reset([])


@pytest.mark.parametrize(
    "permission", ["User-PasswordProfile.ReadWrite.All", "User.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"]
)
def test_app_permission_reaches_only_users_without_an_admin_role(permission: str) -> None:
    """App-only: the permission resets plain users, not a Directory Reader nor a role-assignable group member."""
    daemon = rights(permissions=(permission,), app=True)
    daemon.check_password_reset([])
    with pytest.raises(AuthorizationError) as refused:
        daemon.check_password_reset([role("Directory Readers")])
    assert "users without an administrator role only" in refused.value.message
    assert "Password Administrator" in refused.value.message
    with pytest.raises(AuthorizationError):
        daemon.check_password_reset([], target_in_role_assignable_group=True)


@pytest.mark.parametrize("permission", ["Directory.ReadWrite.All", "User.Read.All", "Application.ReadWrite.All"])
def test_other_app_permissions_reset_nobody(permission: str) -> None:
    """Directory.ReadWrite.All "does not allow resetting passwords"; nor do read or app permissions."""
    with pytest.raises(AuthorizationError):
        rights(permissions=(permission,), app=True).check_password_reset([])


def test_a_role_on_the_apps_service_principal_follows_the_table() -> None:
    """An app whose service principal is Privileged Authentication Administrator resets a Global
    Administrator; one that is Password Administrator resets a Password Administrator, not a Helpdesk one."""
    rights("Privileged Authentication Administrator", permissions=(), app=True).check_password_reset(
        [role("Global Administrator")]
    )
    password_admin = rights("Password Administrator", permissions=(), app=True)
    password_admin.check_password_reset([role("Password Administrator")])
    with pytest.raises(AuthorizationError):
        password_admin.check_password_reset([role("Helpdesk Administrator")])


def test_reset_and_revocation_are_guarded() -> None:
    """`check` refuses to decide a guarded action: its target matters."""
    for action in (Action.USER_PASSWORD, Action.USER_INVALIDATE_REFRESH_TOKENS, Action.GROUP_MEMBERS):
        with pytest.raises(TypeError):
            rights("Global Administrator").check(action)


def test_sensitive_update_needs_the_action_and_the_four_columns() -> None:
    """A User Administrator deletes a Helpdesk Administrator but not an Authentication Administrator; a
    Helpdesk Administrator (no `users/delete`) deletes nobody."""
    user_admin = rights("User Administrator")
    user_admin.check_sensitive_user_update(Action.USER_DELETE, [role("Helpdesk Administrator")])
    with pytest.raises(AuthorizationError, match="Privileged Authentication Administrator"):
        user_admin.check_sensitive_user_update(Action.USER_DELETE, [role("Authentication Administrator")])
    with pytest.raises(AuthorizationError):
        rights("Helpdesk Administrator").check_sensitive_user_update(Action.USER_DELETE, [])
    rights(app=True).check_sensitive_user_update(Action.USER_DISABLE, [])


def test_role_assignable_groups_are_changed_only_by_role_assigners() -> None:
    """A User or Groups Administrator manages ordinary groups; a role-assignable group needs a Global or Privileged
    Role Administrator (with scopes covering groups and role assignment), or an app with both permissions."""
    for name in ("User Administrator", "Groups Administrator"):
        admin = rights(name, permissions=("Group.ReadWrite.All",))
        admin.check_group_change(Action.GROUP_MEMBERS, role_assignable=False)
        with pytest.raises(AuthorizationError, match="role-assignable"):
            admin.check_group_change(Action.GROUP_MEMBERS, role_assignable=True)
    for name in ("Global Administrator", "Privileged Role Administrator"):
        for action in (Action.GROUP_CREATE, Action.GROUP_UPDATE, Action.GROUP_MEMBERS, Action.GROUP_DELETE):
            rights(name, permissions=("Directory.AccessAsUser.All",)).check_group_change(action, role_assignable=True)
        scoped = rights(name, permissions=("Group.ReadWrite.All", "RoleManagement.ReadWrite.Directory"))
        scoped.check_group_change(Action.GROUP_MEMBERS, role_assignable=True)
        with pytest.raises(AuthorizationError, match="delegated permissions"):
            rights(name, permissions=("Group.ReadWrite.All",)).check_group_change(
                Action.GROUP_MEMBERS, role_assignable=True
            )
    with pytest.raises(AuthorizationError, match="Requires one of the directory roles: Global Administrator, Priv"):
        rights("User Administrator", permissions=("Directory.AccessAsUser.All",)).check_group_change(
            Action.GROUP_CREATE, role_assignable=True
        )
    daemon = rights(permissions=("Group.ReadWrite.All",), app=True)
    with pytest.raises(AuthorizationError, match=r"RoleManagement\.ReadWrite\.Directory"):
        daemon.check_group_change(Action.GROUP_MEMBERS, role_assignable=True)
    both = rights(permissions=("Group.ReadWrite.All", "RoleManagement.ReadWrite.Directory"), app=True)
    both.check_group_change(Action.GROUP_MEMBERS, role_assignable=True)
