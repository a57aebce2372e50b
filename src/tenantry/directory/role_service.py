"""Directory role assignments: assign, list and remove built-in roles, each change audited.

Graph `roleManagement/directory/roleAssignments` and the CLI's `role assign` both land here. Only a Global
Administrator or a Privileged Role Administrator may assign or remove roles (Entra's rule for tenant-wide
assignments); the CLI acts as the system and an app-only caller's Graph permission
(`RoleManagement.ReadWrite.Directory`) has been checked by the adapter, so the role check applies to users.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.ids import is_guid, new_guid
from tenantry.directory.authorization import PrincipalRolesReader, list_principal_roles
from tenantry.directory.principals import DirectoryPrincipal, PrincipalLookup, find_principal
from tenantry.directory.repository import RoleAssignmentExistsError, RoleAssignmentRepository
from tenantry.directory.roles import RoleAssignment, RoleDefinition, find_role

# Role template ids of the two roles that may manage role assignments.
ROLE_ADMINISTRATORS = frozenset({"62e90394-69f5-4237-9190-012177145e10", "e8611ab8-c189-46e8-94e1-60213ab1f814"})
TENANT_SCOPE = "/"

__all__ = [
    "RoleAssignmentExistsError",
    "RoleError",
    "RoleNotFoundError",
    "RolePermissionError",
    "RoleService",
    "RoleUnit",
]


class RoleUnit(RoleAssignmentRepository, PrincipalLookup, PrincipalRolesReader, AuditRepository, Protocol):
    """The repositories one role transaction needs."""


class RoleError(ValueError):
    """A request the directory refuses (unknown role, unknown principal, unsupported scope)."""


class RoleNotFoundError(LookupError):
    """No such role definition, principal or assignment in the tenant."""


class RolePermissionError(PermissionError):
    """The acting user holds neither Global Administrator nor Privileged Role Administrator."""


def _role(reference: str) -> RoleDefinition:
    role = find_role(reference)
    if role is None:
        raise RoleNotFoundError(f"no built-in role '{reference}' (use a role template id or display name)")
    return role


def _targets(role: RoleDefinition, principal: DirectoryPrincipal) -> tuple[Target, ...]:
    name = principal.user_principal_name or principal.display_name
    return (Target("Role", role.id, role.display_name), Target(principal.type, principal.id, name))


def _check_role_assignable(unit: RoleUnit, tenant_id: str, principal: DirectoryPrincipal) -> None:
    """Entra assigns roles only to groups created role-assignable (`isAssignableToRole`): their membership
    is then managed only by those who may assign roles, so a group's owners cannot hand roles out."""
    group = unit.find_group(tenant_id, principal.id)
    if group is None or not group.is_assignable_to_role:
        raise RoleError(
            f"The group '{principal.display_name}' ({principal.id}) is not role-assignable: directory roles "
            "can be assigned only to groups created with isAssignableToRole set to true."
        )


class RoleService:
    """Every call is one transaction; writes append their audit record in it."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[RoleUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def _system(self) -> AuditContext:
        return AuditContext(SYSTEM, self._clock.now())

    def _check_actor(self, unit: RoleUnit, tenant_id: str, ctx: AuditContext) -> None:
        if ctx.actor.kind != "user":
            return
        held = {role.id for role in list_principal_roles(unit, tenant_id, ctx.actor.id)}
        if not held & ROLE_ADMINISTRATORS:
            raise RolePermissionError(
                "Insufficient privileges to complete the operation. Requires one of the directory roles: "
                "Global Administrator, Privileged Role Administrator."
            )

    def assign_role(
        self,
        tenant_id: str,
        principal_id: str,
        role: str,
        *,
        ctx: AuditContext | None = None,
        directory_scope_id: str = TENANT_SCOPE,
    ) -> RoleAssignment:
        """Give a user, role-assignable group or service principal a built-in role (by template id or display
        name) across the tenant; a group that is not role-assignable raises `RoleError`, and assigning a role
        the principal already holds raises `RoleAssignmentExistsError`.
        Without `ctx` the change is recorded as made by the system (the CLI)."""
        ctx = ctx or self._system()
        definition = _role(role)
        if directory_scope_id != TENANT_SCOPE:
            raise RoleError("only tenant-wide assignments (directoryScopeId '/') are supported")
        with self._transaction() as unit:
            self._check_actor(unit, tenant_id, ctx)
            principal = find_principal(unit, tenant_id, principal_id.lower()) if is_guid(principal_id) else None
            if principal is None:
                raise RoleNotFoundError(f"no user, group or service principal '{principal_id}' in the tenant")
            if principal.type == "Group":
                _check_role_assignable(unit, tenant_id, principal)
            assignment = RoleAssignment(new_guid(), tenant_id, principal.id, definition.id, ctx.now)
            unit.add_role_assignment(assignment)
            record(unit, ctx, tenant_id, AuditActivity.ADD_ROLE_MEMBER, _targets(definition, principal), "Assign")
        return assignment

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        """The tenant's role assignments (of one principal when given), oldest first."""
        with self._transaction() as unit:
            return unit.list_role_assignments(tenant_id, principal_id)

    def find_role_assignment(self, tenant_id: str, assignment_id: str) -> RoleAssignment | None:
        """One assignment of the tenant by id."""
        return next((a for a in self.list_role_assignments(tenant_id) if a.id == assignment_id.lower()), None)

    def remove_role_assignment(
        self, tenant_id: str, assignment_id: str, *, ctx: AuditContext | None = None
    ) -> RoleAssignment:
        """Take a role away; an unknown assignment id raises `RoleNotFoundError`."""
        ctx = ctx or self._system()
        with self._transaction() as unit:
            self._check_actor(unit, tenant_id, ctx)
            found = next((a for a in unit.list_role_assignments(tenant_id) if a.id == assignment_id.lower()), None)
            if found is None or not unit.remove_role_assignment(tenant_id, found.id):
                raise RoleNotFoundError(f"no role assignment '{assignment_id}' in the tenant")
            principal = find_principal(unit, tenant_id, found.principal_id) or DirectoryPrincipal(
                found.principal_id, "User", ""
            )
            targets = _targets(_role(found.role_definition_id), principal)
            record(unit, ctx, tenant_id, AuditActivity.REMOVE_ROLE_MEMBER, targets, "Unassign")
        return found

    def find_principal(self, tenant_id: str, object_id: str) -> DirectoryPrincipal | None:
        """The tenant's user, group or service principal with this id (for `principal` expansions)."""
        if not is_guid(object_id):
            return None
        with self._transaction() as unit:
            return find_principal(unit, tenant_id, object_id.lower())
