"""Storage interfaces the directory needs; `store/sql/directory.py` implements them."""

from __future__ import annotations

from typing import Protocol

from tenantry.directory.models import Group, Tenant, User
from tenantry.directory.roles import RoleAssignment


class DomainTakenError(ValueError):
    """A domain another tenant already verified."""


class UpnTakenError(ValueError):
    """A userPrincipalName another user already has."""


class TenantRepository(Protocol):
    """Tenants are the one global collection: every other collection is scoped to one of them."""

    def add_tenant(self, tenant: Tenant) -> None:
        """Insert a tenant with its domains; a domain already taken raises `DomainTakenError`."""
        ...

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant with this GUID (lower-case), if any."""
        ...

    def find_tenant_by_domain(self, domain: str) -> Tenant | None:
        """The tenant that verified `domain` (case-insensitive), if any."""
        ...

    def list_tenants(self) -> list[Tenant]:
        """Every tenant, oldest first."""
        ...


class UserRepository(Protocol):
    """Users, scoped to their tenant except for the UPN lookup (UPN domains are globally unique)."""

    def add_user(self, user: User) -> None:
        """Insert a user; a UPN already taken raises `UpnTakenError`."""
        ...

    def update_user(self, user: User) -> None:
        """Replace the stored user with this version (same id and tenant)."""
        ...

    def find_user(self, tenant_id: str, user_id: str) -> User | None:
        """By object id within a tenant."""
        ...

    def find_user_by_upn(self, upn: str) -> User | None:
        """By userPrincipalName, case-insensitive, in whichever tenant owns its domain."""
        ...

    def list_users(self, tenant_id: str) -> list[User]:
        """The tenant's users, oldest first."""
        ...

    def delete_user(self, tenant_id: str, user_id: str) -> bool:
        """Delete the user and everything that names it (memberships, role assignments, ownerships, consents,
        sessions, refresh tokens); False when there was none."""
        ...


class GroupRepository(Protocol):
    """Groups and their direct members."""

    def add_group(self, group: Group) -> None:
        """Insert a group."""
        ...

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """By object id within a tenant."""
        ...

    def update_group(self, group: Group) -> None:
        """Replace the stored group's mutable properties with these."""
        ...

    def delete_group(self, tenant_id: str, group_id: str) -> bool:
        """Delete the group, its memberships and its role assignments; False when there was none."""
        ...

    def list_groups(self, tenant_id: str) -> list[Group]:
        """The tenant's groups, oldest first."""
        ...

    def add_group_member(self, tenant_id: str, group_id: str, member_id: str) -> None:
        """Add a direct member; adding twice is a no-op."""
        ...

    def list_group_ids_of_member(self, tenant_id: str, member_id: str) -> list[str]:
        """Groups the member belongs to directly."""
        ...

    def remove_group_member(self, tenant_id: str, group_id: str, member_id: str) -> bool:
        """Remove a direct member; False when it was not one."""
        ...

    def list_group_member_ids(self, tenant_id: str, group_id: str) -> list[str]:
        """The group's direct members' object ids."""
        ...


class RoleAssignmentReader(Protocol):
    """Reads directory role assignments (what authorization decisions need)."""

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        """The tenant's assignments (of one principal when given), oldest first."""
        ...


class RoleAssignmentRepository(RoleAssignmentReader, Protocol):
    """Directory role assignments of a tenant."""

    def add_role_assignment(self, assignment: RoleAssignment) -> None:
        """Insert; the same principal and role twice raises `RoleAssignmentExistsError`."""
        ...

    def remove_role_assignment(self, tenant_id: str, assignment_id: str) -> bool:
        """Delete; False when there was none with that id."""
        ...


class RoleAssignmentExistsError(ValueError):
    """The principal already holds that role."""
