"""Who may do what in the directory, decided the way Microsoft Entra decides it for Microsoft Graph calls.

- An **app-only** caller (client credentials) acts with the Graph application permissions in its token's
  `roles`: `Application.ReadWrite.All` allows every application and service-principal action;
  `Application.ReadWrite.OwnedBy` allows creating applications (the caller becomes an owner) and the owner
  actions on applications it owns; `Application.Read.All` / `Directory.Read.All` allow reads;
  `RoleManagement.ReadWrite.Directory` role assignments; `AuditLog.Read.All` audit reads. A directory role
  assigned to the app's service principal counts too.
- A **delegated** caller (a user's token) needs both a delegated scope that covers the action (for example
  `Application.ReadWrite.All` or `Directory.AccessAsUser.All`) *and* a built-in role that allows it, or
  ownership of the application for `OWNER_ACTIONS` (Graph: "the signed-in user must also hold a role").
  Reading the organization and the role definitions needs no role (Entra's default user permissions).

Action names are Entra's (`microsoft.directory/applications/credentials/update`); roles come from `roles.py`.

Three actions are *guarded*: they cannot be checked with `check` alone, because what they need depends on
their target, and forgetting that is how an app administrator became Global Administrator:
- granting an app role (`SP_ASSIGN`) of a **first-party** API such as Microsoft Graph also needs
  `CONSENT_ANY_API` (Global or Privileged Role Administrator, or `AppRoleAssignment.ReadWrite.All`), as in
  Entra; app roles of the tenant's own APIs need only `SP_ASSIGN` (app administrators, owners of the API);
- changing the credentials or owners (`APP_CREDENTIALS`, `APP_OWNERS`) of an app whose service principal
  holds **privileged access** also needs `PRIVILEGED_APP_MANAGEMENT`, unless the caller already owns it.
Use `check_app_role_grant` and `check_app_management` for them.

Users and groups add more guarded actions, for the same reason:
- resetting a password (`USER_PASSWORD`) or signing a user out everywhere (`USER_INVALIDATE_REFRESH_TOKENS`)
  depends on the target's roles: entra-reference §5.6's table (`password_reset.py`). Use
  `check_password_reset` and `check_session_revocation`; `check_sensitive_user_update` applies the same
  table's four columns to deleting, disabling, or changing the UPN of a user;
- creating, changing, deleting or changing the members (`GROUP_*`) of a **role-assignable** group hands out
  its roles, so it needs Entra's `groupsAssignableToRoles` actions (Global and Privileged Role
  Administrators) or, app-only, `RoleManagement.ReadWrite.Directory` besides the group permission. Use
  `check_group_change`.

A user's roles are those assigned to it and those of the role-assignable groups it is a direct member of
(`list_principal_roles`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from tenantry.directory.models import Group
from tenantry.directory.password_reset import (
    may_reset_password,
    may_update_sensitive_attributes,
    roles_that_may_reset,
    roles_that_may_update_sensitive_attributes,
)
from tenantry.directory.permissions import (
    APPLICATION_PERMISSIONS,
    DEFAULT_USER_ACTIONS,
    DELEGATED_SCOPES,
    GUARDED_ACTIONS,
    OWNED_BY,
    ROLE_ASSIGNABLE_GROUP_ACTIONS,
    Action,
)
from tenantry.directory.principal_roles import (
    PrincipalRolesReader,
    is_in_role_assignable_group,
    list_principal_roles,
)
from tenantry.directory.roles import (
    CONSENT_ANY_API,
    OWNER_ACTIONS,
    PRIVILEGED_APP_MANAGEMENT,
    RoleAssignment,
    RoleDefinition,
    roles_allowing,
)

__all__ = [
    "APPLICATION_PERMISSIONS",
    "DELEGATED_SCOPES",
    "OWNED_BY",
    "Action",
    "AuthorizationError",
    "Authorizer",
    "Caller",
    "CallerRights",
    "PrincipalRolesReader",
    "is_in_role_assignable_group",
    "list_principal_roles",
]

INSUFFICIENT = "Insufficient privileges to complete the operation."


def _matches(patterns: Iterable[str], action: str) -> bool:
    return any(p == action or (p.endswith("*") and action.startswith(p[:-1])) for p in patterns)


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


class AuthorizationError(PermissionError):
    """The caller may not do this; `message` says which role or permission would allow it."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(message)
        self.action = action
        self.message = message


@dataclass(frozen=True, slots=True)
class Caller:
    """The subject of a Graph token: a user (delegated, `scp`) or an app's service principal (`roles`)."""

    tenant_id: str
    object_id: str
    is_app: bool
    permissions: frozenset[str]


@dataclass(frozen=True, slots=True)
class CallerRights:
    """Everything that decides a caller's rights, loaded once per request; checks are then pure."""

    caller: Caller
    roles: tuple[RoleDefinition, ...]
    owned_application_ids: frozenset[str]

    def allows(self, action: str, application_id: str | None = None) -> bool:
        """Whether the caller may perform `action` (on the application `application_id`, when given)."""
        owns = self.owns(application_id)
        by_role = any(r.allows(action) for r in self.roles) or (owns and action in OWNER_ACTIONS)
        if self.caller.is_app:
            tenant_wide = any(_matches(APPLICATION_PERMISSIONS.get(p, ()), action) for p in self.caller.permissions)
            owned_by = OWNED_BY in self.caller.permissions and owns and action in OWNER_ACTIONS
            return tenant_wide or owned_by or by_role
        if not any(_matches(DELEGATED_SCOPES.get(s, ()), action) for s in self.caller.permissions):
            return False
        return by_role or action in DEFAULT_USER_ACTIONS

    def owns(self, application_id: str | None) -> bool:
        """Whether the caller is an owner of the application with this object id."""
        return application_id is not None and application_id in self.owned_application_ids

    def check(self, action: str, application_id: str | None = None) -> None:
        """Raise `AuthorizationError` naming what would allow `action`, unless it is allowed.

        Guarded actions depend on their target: asking for one here is a programming error."""
        if action in GUARDED_ACTIONS:
            raise TypeError(f"{action} is guarded: use the check_* method for it (see the module docstring)")
        self._check(action, application_id)

    def _check(self, action: str, application_id: str | None = None, reason: str = "") -> None:
        if not self.allows(action, application_id):
            message = self.denial(action, owner_applies=application_id is not None)
            raise AuthorizationError(action, f"{message} {reason}".rstrip())

    def check_app_role_grant(self, *, first_party: bool, resource_application_id: str | None) -> None:
        """Granting an app role on a resource service principal (`appRoleAssignedTo`, admin consent).

        `resource_application_id` is the object id of the resource's application when it lives in the
        caller's tenant (its owners may grant its roles). A first-party resource (Microsoft Graph) also needs
        `CONSENT_ANY_API`, which app administrators, owners and `Application.ReadWrite.All` never hold."""
        self._check(Action.SP_ASSIGN, resource_application_id)
        if first_party:
            reason = "App roles of a first-party API such as Microsoft Graph are granted only by these."
            self._check(CONSENT_ANY_API, reason=reason)

    def check_app_management(self, action: Action, application_id: str, *, privileged: bool) -> None:
        """Changing an application's credentials or owners; an app holding privileged access (see
        `apps/privilege.py`) is managed only by its owners or by callers who hold that access already."""
        self._check(action, application_id)
        if privileged and not self.owns(application_id):
            reason = (
                "The application's service principal holds privileged access: only its owners, or a caller "
                "who could grant that access itself, may change its credentials or owners."
            )
            self._check(PRIVILEGED_APP_MANAGEMENT, reason=reason)

    def check_password_reset(
        self, target_roles: Sequence[RoleDefinition], *, target_in_role_assignable_group: bool = False
    ) -> None:
        """Resetting the password of a user holding `target_roles` (entra-reference §5.6).

        Delegated: a scope covering `USER_PASSWORD` and a role the table allows for every one of the target's
        roles. App-only: `User-PasswordProfile.ReadWrite.All`, `User.ReadWrite.All` or
        `UserAuthenticationMethod.ReadWrite.All` reach users without an admin role; a role held by the app's
        service principal follows the table."""
        self._check_target(Action.USER_PASSWORD, target_roles, target_in_role_assignable_group, sensitive=False)

    def check_session_revocation(
        self, target_roles: Sequence[RoleDefinition], *, target_in_role_assignable_group: bool = False
    ) -> None:
        """Invalidating every refresh token and session of a user (`revokeSignInSessions`, part of a reset):
        the same table as `check_password_reset`."""
        self._check_target(
            Action.USER_INVALIDATE_REFRESH_TOKENS, target_roles, target_in_role_assignable_group, sensitive=False
        )

    def check_sensitive_user_update(
        self,
        action: Action,
        target_roles: Sequence[RoleDefinition],
        *,
        target_in_role_assignable_group: bool = False,
    ) -> None:
        """Deleting, enabling, disabling a user, or changing its sensitive properties (`accountEnabled`,
        `userPrincipalName`, `mobilePhone`, …): `action` as usual, and the reset table's Authentication,
        User, Privileged Authentication and Global Administrator columns for the target's roles (§5.6)."""
        self._check(action)
        self._check_target(action, target_roles, target_in_role_assignable_group, sensitive=True)

    def check_group_change(self, action: Action, *, role_assignable: bool) -> None:
        """Creating, updating, deleting or changing the members of a group (`GROUP_*`). A role-assignable
        group's members hold its roles, so changing it is assigning roles (Entra's `groupsAssignableToRoles`
        actions): a role holding them (Global and Privileged Role Administrators), with delegated scopes
        covering the group action and role assignment; app-only, the group permission and
        `RoleManagement.ReadWrite.Directory` together (or such a role on the service principal)."""
        if not role_assignable:
            self._check(action)
            return
        reason = "The group is role-assignable: changing it or its members hands out its directory roles."
        privileged = ROLE_ASSIGNABLE_GROUP_ACTIONS[action]
        by_role = any(role.allows(privileged) for role in self.roles)
        if self.caller.is_app:
            if not by_role:
                self._check(action, reason=reason)
                self._check(Action.ROLE_ASSIGNMENT_WRITE, reason=reason)
            return
        for needed in (action, Action.ROLE_ASSIGNMENT_WRITE):
            scopes = [s for s, allowed in DELEGATED_SCOPES.items() if _matches(allowed, needed)]
            if not any(s in self.caller.permissions for s in scopes):
                message = f"{INSUFFICIENT} Requires one of the delegated permissions: {_names(scopes)}. {reason}"
                raise AuthorizationError(action, message)
        if not by_role:
            roles = ", ".join(r.display_name for r in roles_allowing(privileged))
            raise AuthorizationError(action, f"{INSUFFICIENT} Requires one of the directory roles: {roles}. {reason}")

    def _check_target(
        self, action: Action, target_roles: Sequence[RoleDefinition], in_group: bool, *, sensitive: bool
    ) -> None:
        may = may_update_sensitive_attributes if sensitive else may_reset_password
        allowed_roles = (roles_that_may_update_sensitive_attributes if sensitive else roles_that_may_reset)(
            target_roles, target_in_role_assignable_group=in_group
        )
        by_role = may(self.roles, target_roles, target_in_role_assignable_group=in_group)
        needed = ", ".join(r.display_name for r in allowed_roles)
        if self.caller.is_app:
            permissions = [p for p, allowed in APPLICATION_PERMISSIONS.items() if _matches(allowed, action)]
            plain_target = not target_roles and not in_group
            if by_role or (plain_target and any(p in self.caller.permissions for p in permissions)):
                return
            raise AuthorizationError(
                action,
                f"{INSUFFICIENT} Requires one of the application permissions: {_names(permissions)} "
                f"(users without an administrator role only); or one of the directory roles: {needed}.",
            )
        scopes = [s for s, allowed in DELEGATED_SCOPES.items() if _matches(allowed, action)]
        if not any(s in self.caller.permissions for s in scopes):
            raise AuthorizationError(
                action, f"{INSUFFICIENT} Requires one of the delegated permissions: {_names(scopes)}."
            )
        if not by_role:
            raise AuthorizationError(action, f"{INSUFFICIENT} Requires one of the directory roles: {needed}.")

    def denial(self, action: str, *, owner_applies: bool = False) -> str:
        """Graph's message, followed by the roles (and permissions) that would have allowed the action."""
        roles = [r.display_name for r in roles_allowing(action)]
        owner = owner_applies and action in OWNER_ACTIONS
        if self.caller.is_app:
            permissions = [p for p, allowed in APPLICATION_PERMISSIONS.items() if _matches(allowed, action)]
            if owner or action == Action.APP_CREATE:
                permissions.append(f"{OWNED_BY} (applications the app owns)" if owner else OWNED_BY)
            return (
                f"{INSUFFICIENT} Requires one of the application permissions: {_names(set(permissions))}; "
                f"or one of the directory roles: {', '.join(roles)}."
            )
        scopes = [s for s, allowed in DELEGATED_SCOPES.items() if _matches(allowed, action)]
        if not any(s in self.caller.permissions for s in scopes):
            return f"{INSUFFICIENT} Requires one of the delegated permissions: {_names(scopes)}."
        needed = ", ".join(roles) + (", or ownership of the application" if owner else "")
        return f"{INSUFFICIENT} Requires one of the directory roles: {needed}."


class AuthorizationUnit(Protocol):
    """The reads that decide rights (`RoleAssignmentRepository` and `OwnerRepository` provide them)."""

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        """The tenant's assignments of one principal."""
        ...

    def list_owned_application_ids(self, tenant_id: str, owner_id: str) -> list[str]:
        """Object ids of the applications the principal owns."""
        ...

    def list_group_ids_of_member(self, tenant_id: str, member_id: str) -> list[str]:
        """Ids of the groups the principal is a direct member of."""
        ...

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """A group of the tenant."""
        ...


class Authorizer:
    """Loads a caller's `CallerRights` in one read transaction."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[AuthorizationUnit]]) -> None:
        self._transaction = transaction

    def rights_for(self, caller: Caller) -> CallerRights:
        """The roles the caller (user or service principal) holds, directly or through role-assignable
        groups, and the applications it owns."""
        with self._transaction() as unit:
            roles = list_principal_roles(unit, caller.tenant_id, caller.object_id)
            owned = unit.list_owned_application_ids(caller.tenant_id, caller.object_id)
        return CallerRights(caller, roles, frozenset(owned))

    def roles_of_principal(self, tenant_id: str, principal_id: str) -> tuple[RoleDefinition, ...]:
        """The roles a user, group or service principal holds (directly or through role-assignable
        groups): the target's roles for `check_password_reset`."""
        with self._transaction() as unit:
            return list_principal_roles(unit, tenant_id, principal_id)

    def is_in_role_assignable_group(self, tenant_id: str, principal_id: str) -> bool:
        """Whether the principal is a direct member of a role-assignable group."""
        with self._transaction() as unit:
            return is_in_role_assignable_group(unit, tenant_id, principal_id)
