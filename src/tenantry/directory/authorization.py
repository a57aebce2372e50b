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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tenantry.directory.roles import (
    APPS,
    AUDIT_LOGS,
    BUILT_IN_ROLES,
    ORGANIZATION,
    OWNER_ACTIONS,
    ROLE_ASSIGNMENTS,
    SPS,
    RoleAssignment,
    RoleDefinition,
    roles_allowing,
)

ROLE_DEFINITIONS = "microsoft.directory/roleDefinitions"


class Action(StrEnum):
    """The directory actions the Graph API checks, named as Entra's role permissions name them."""

    APP_CREATE = f"{APPS}/create"
    APP_READ = f"{APPS}/allProperties/read"
    APP_UPDATE = f"{APPS}/basic/update"
    APP_CREDENTIALS = f"{APPS}/credentials/update"
    APP_OWNERS = f"{APPS}/owners/update"
    APP_DELETE = f"{APPS}/delete"
    SP_CREATE = f"{SPS}/create"
    SP_READ = f"{SPS}/allProperties/read"
    SP_UPDATE = f"{SPS}/basic/update"
    SP_DELETE = f"{SPS}/delete"
    SP_ASSIGN = f"{SPS}/appRoleAssignedTo/update"
    ROLE_ASSIGNMENT_READ = f"{ROLE_ASSIGNMENTS}/allProperties/read"
    ROLE_ASSIGNMENT_WRITE = f"{ROLE_ASSIGNMENTS}/allProperties/allTasks"
    ROLE_DEFINITION_READ = f"{ROLE_DEFINITIONS}/allProperties/read"
    AUDIT_READ = f"{AUDIT_LOGS}/allProperties/read"
    ORGANIZATION_READ = f"{ORGANIZATION}/allProperties/read"


_APP_AND_SP_READS = frozenset({Action.APP_READ, Action.SP_READ})
_DIRECTORY_READS = _APP_AND_SP_READS | {
    Action.ROLE_ASSIGNMENT_READ,
    Action.ROLE_DEFINITION_READ,
    Action.ORGANIZATION_READ,
}
_APP_MANAGEMENT = frozenset({f"{APPS}/*", f"{SPS}/*"})
_ROLE_READS = frozenset({Action.ROLE_ASSIGNMENT_READ, Action.ROLE_DEFINITION_READ})

# Graph application permissions (app roles in the token's `roles`) → what they allow tenant-wide.
APPLICATION_PERMISSIONS: dict[str, frozenset[str]] = {
    "Application.ReadWrite.All": _APP_MANAGEMENT,
    "Application.ReadWrite.OwnedBy": frozenset({Action.APP_CREATE}),  # + OWNER_ACTIONS on owned apps
    "Application.Read.All": _APP_AND_SP_READS,
    "Directory.Read.All": _DIRECTORY_READS,
    "AppRoleAssignment.ReadWrite.All": frozenset({Action.SP_READ, Action.SP_ASSIGN}),
    "RoleManagement.Read.Directory": _ROLE_READS,
    "RoleManagement.ReadWrite.Directory": _ROLE_READS | {Action.ROLE_ASSIGNMENT_WRITE},
    "AuditLog.Read.All": frozenset({Action.AUDIT_READ}),
    "Organization.Read.All": frozenset({Action.ORGANIZATION_READ}),
}
OWNED_BY = "Application.ReadWrite.OwnedBy"

# Graph delegated permissions (`scp`) → the most they let an app do on the user's behalf.
DELEGATED_SCOPES: dict[str, frozenset[str]] = {
    "Directory.AccessAsUser.All": frozenset({"microsoft.directory/*"}),
    "Application.ReadWrite.All": _APP_MANAGEMENT,
    "Application.Read.All": _APP_AND_SP_READS,
    "Directory.Read.All": _DIRECTORY_READS,
    "AppRoleAssignment.ReadWrite.All": frozenset({Action.SP_READ, Action.SP_ASSIGN}),
    "RoleManagement.Read.Directory": _ROLE_READS,
    "RoleManagement.ReadWrite.Directory": _ROLE_READS | {Action.ROLE_ASSIGNMENT_WRITE},
    "AuditLog.Read.All": frozenset({Action.AUDIT_READ}),
    "Organization.Read.All": frozenset({Action.ORGANIZATION_READ}),
    "User.Read": frozenset({Action.ORGANIZATION_READ}),
}

# What every member user may do without a role (Entra's default user permissions, read side).
DEFAULT_USER_ACTIONS = frozenset({Action.ORGANIZATION_READ, Action.ROLE_DEFINITION_READ})

INSUFFICIENT = "Insufficient privileges to complete the operation."


def _grants(patterns: Iterable[str], action: str) -> bool:
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
class Grants:
    """Everything that decides a caller's rights, loaded once per request; checks are then pure."""

    caller: Caller
    roles: tuple[RoleDefinition, ...]
    owned_application_ids: frozenset[str]

    def allows(self, action: str, application_id: str | None = None) -> bool:
        """Whether the caller may perform `action` (on the application `application_id`, when given)."""
        owns = application_id is not None and application_id in self.owned_application_ids
        by_role = any(r.allows(action) for r in self.roles) or (owns and action in OWNER_ACTIONS)
        if self.caller.is_app:
            tenant_wide = any(_grants(APPLICATION_PERMISSIONS.get(p, ()), action) for p in self.caller.permissions)
            owned_by = OWNED_BY in self.caller.permissions and owns and action in OWNER_ACTIONS
            return tenant_wide or owned_by or by_role
        if not any(_grants(DELEGATED_SCOPES.get(s, ()), action) for s in self.caller.permissions):
            return False
        return by_role or action in DEFAULT_USER_ACTIONS

    def check(self, action: str, application_id: str | None = None) -> None:
        """Raise `AuthorizationError` naming what would allow `action`, unless it is allowed."""
        if not self.allows(action, application_id):
            raise AuthorizationError(action, self.denial(action, owner_applies=application_id is not None))

    def denial(self, action: str, *, owner_applies: bool = False) -> str:
        """Graph's message, followed by the roles (and permissions) that would have allowed the action."""
        roles = [r.display_name for r in roles_allowing(action)]
        owner = owner_applies and action in OWNER_ACTIONS
        if self.caller.is_app:
            permissions = [p for p, allowed in APPLICATION_PERMISSIONS.items() if _grants(allowed, action)]
            if owner or action == Action.APP_CREATE:
                permissions.append(f"{OWNED_BY} (applications the app owns)" if owner else OWNED_BY)
            return (
                f"{INSUFFICIENT} Requires one of the application permissions: {_names(set(permissions))}; "
                f"or one of the directory roles: {', '.join(roles)}."
            )
        scopes = [s for s, allowed in DELEGATED_SCOPES.items() if _grants(allowed, action)]
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


class Authorizer:
    """Loads a caller's `Grants` in one read transaction."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[AuthorizationUnit]]) -> None:
        self._transaction = transaction

    def grants_for(self, caller: Caller) -> Grants:
        """The roles assigned to the caller (user or service principal) and the applications it owns."""
        with self._transaction() as unit:
            assignments = unit.list_role_assignments(caller.tenant_id, caller.object_id)
            owned = unit.list_owned_application_ids(caller.tenant_id, caller.object_id)
        wanted = {a.role_definition_id for a in assignments}
        roles = tuple(r for r in BUILT_IN_ROLES if r.id in wanted)
        return Grants(caller, roles, frozenset(owned))
