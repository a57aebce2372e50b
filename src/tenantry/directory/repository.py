"""Storage interfaces the directory needs; `store/sql/directory.py` implements them."""

from __future__ import annotations

from typing import Protocol

from tenantry.directory.models import Tenant


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
