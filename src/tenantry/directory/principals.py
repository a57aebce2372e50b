"""Directory objects that can hold a role, own an app or receive an app role: users, service principals, groups.

Graph addresses them all as `directoryObjects/{id}`; the `@odata.type` tells which kind an id names. The
directory layer comes first in the domain order, so service principals are reached through a structural
Protocol here rather than through `apps.repository`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tenantry.directory.models import Group, User


class NamedServicePrincipal(Protocol):
    """What the directory needs of a service principal (`apps.models.ServicePrincipal` has it)."""

    @property
    def id(self) -> str:
        """Object id."""
        ...

    @property
    def app_id(self) -> str:
        """The app it is an instance of."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown in lists."""
        ...


class PrincipalLookup(Protocol):
    """Find a directory object of a tenant by object id, whatever its kind."""

    def find_user(self, tenant_id: str, user_id: str) -> User | None:
        """A user of the tenant."""
        ...

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """A group of the tenant."""
        ...

    def find_service_principal(self, tenant_id: str, sp_id: str) -> NamedServicePrincipal | None:
        """A service principal of the tenant."""
        ...


@dataclass(frozen=True, slots=True)
class DirectoryPrincipal:
    """A user, group or service principal as Graph lists it among owners, members and assignments."""

    id: str
    type: str  # "User" | "Group" | "ServicePrincipal" (Graph `principalType`)
    display_name: str
    user_principal_name: str | None = None
    app_id: str | None = None


def find_principal(unit: PrincipalLookup, tenant_id: str, object_id: str) -> DirectoryPrincipal | None:
    """The tenant's user, service principal or group with this object id (ids are GUIDs, unique across kinds)."""
    user = unit.find_user(tenant_id, object_id)
    if user is not None:
        return DirectoryPrincipal(user.id, "User", user.display_name, user_principal_name=user.user_principal_name)
    sp = unit.find_service_principal(tenant_id, object_id)
    if sp is not None:
        return DirectoryPrincipal(sp.id, "ServicePrincipal", sp.display_name, app_id=sp.app_id)
    group = unit.find_group(tenant_id, object_id)
    if group is not None:
        return DirectoryPrincipal(group.id, "Group", group.display_name)
    return None
