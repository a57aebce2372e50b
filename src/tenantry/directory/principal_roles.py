"""A principal's directory roles: assigned to it, or to a role-assignable group it is a direct member of."""

from __future__ import annotations

from typing import Protocol

from tenantry.directory.models import Group
from tenantry.directory.roles import RoleAssignment, RoleDefinition, roles_of


class PrincipalRolesReader(Protocol):
    """What `list_principal_roles` reads (the STS's unit has it too)."""

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        """The tenant's assignments of one principal."""
        ...

    def list_group_ids_of_member(self, tenant_id: str, member_id: str) -> list[str]:
        """Ids of the groups the principal is a direct member of."""
        ...

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """A group of the tenant."""
        ...


def list_principal_roles(unit: PrincipalRolesReader, tenant_id: str, principal_id: str) -> tuple[RoleDefinition, ...]:
    """The built-in roles a principal holds: assigned to it, or to a role-assignable group it is a direct
    member of (Entra: role-assignable groups cannot be nested), in catalogue order."""
    assignments = list(unit.list_role_assignments(tenant_id, principal_id))
    for group_id in unit.list_group_ids_of_member(tenant_id, principal_id):
        group = unit.find_group(tenant_id, group_id)
        if group is not None and group.is_assignable_to_role:
            assignments.extend(unit.list_role_assignments(tenant_id, group.id))
    return roles_of(assignments)


def is_in_role_assignable_group(unit: PrincipalRolesReader, tenant_id: str, principal_id: str) -> bool:
    """Whether the principal is a direct member of a role-assignable group (§5.6: then only Privileged
    Authentication and Global Administrators may reset its password)."""
    for group_id in unit.list_group_ids_of_member(tenant_id, principal_id):
        group = unit.find_group(tenant_id, group_id)
        if group is not None and group.is_assignable_to_role:
            return True
    return False
