"""The storage conditional access needs (style P3): policies and named locations of a tenant."""

from __future__ import annotations

from typing import Protocol

from tenantry.conditional_access.models import ConditionalAccessPolicy, NamedLocation


class ConditionalAccessReader(Protocol):
    """What evaluation at sign-in reads: a tenant's policies and named locations."""

    def list_ca_policies(self, tenant_id: str) -> list[ConditionalAccessPolicy]:
        """Every policy of the tenant, oldest first."""
        ...

    def list_named_locations(self, tenant_id: str) -> list[NamedLocation]:
        """Every named location of the tenant, oldest first."""
        ...


class ConditionalAccessRepository(ConditionalAccessReader, Protocol):
    """Policies and named locations, per tenant."""

    def find_ca_policy(self, tenant_id: str, policy_id: str) -> ConditionalAccessPolicy | None:
        """One policy of the tenant."""
        ...

    def add_ca_policy(self, policy: ConditionalAccessPolicy) -> None:
        """Store a new policy."""
        ...

    def update_ca_policy(self, policy: ConditionalAccessPolicy) -> None:
        """Replace a stored policy."""
        ...

    def delete_ca_policy(self, tenant_id: str, policy_id: str) -> bool:
        """Remove a policy; False when there was none."""
        ...

    def find_named_location(self, tenant_id: str, location_id: str) -> NamedLocation | None:
        """One named location of the tenant."""
        ...

    def add_named_location(self, location: NamedLocation) -> None:
        """Store a new named location."""
        ...

    def update_named_location(self, location: NamedLocation) -> None:
        """Replace a stored named location."""
        ...

    def delete_named_location(self, tenant_id: str, location_id: str) -> bool:
        """Remove a named location; False when there was none."""
        ...
