"""Conditional access policies and named locations in SQL: a policy's conditions and grant controls are
its Graph-shaped JSON documents (`conditional_access/documents.py`), a location's ranges and countries
JSON lists. Lists are oldest first (creation time, then id) so evaluation order is stable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from tenantry.common.clock import as_utc
from tenantry.conditional_access.documents import (
    conditions_document,
    conditions_from_document,
    grant_controls_document,
    grant_controls_from_document,
)
from tenantry.conditional_access.models import ConditionalAccessPolicy, LocationKind, NamedLocation, PolicyState
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import ca_policies as p
from tenantry.store.tables import named_locations as n


def _policy(row: Any) -> ConditionalAccessPolicy:
    return ConditionalAccessPolicy(
        id=row.id,
        tenant_id=row.tenant_id,
        display_name=row.display_name,
        state=PolicyState(row.state),
        conditions=conditions_from_document(row.conditions),
        grant_controls=grant_controls_from_document(row.grant_controls),
        created_at=as_utc(row.created_at),
        modified_at=as_utc(row.modified_at) if row.modified_at else None,
    )


def _policy_values(policy: ConditionalAccessPolicy) -> dict[str, Any]:
    return {
        "display_name": policy.display_name,
        "state": str(policy.state),
        "conditions": conditions_document(policy.conditions),
        "grant_controls": grant_controls_document(policy.grant_controls),
        "modified_at": policy.modified_at,
    }


def _location(row: Any) -> NamedLocation:
    return NamedLocation(
        id=row.id,
        tenant_id=row.tenant_id,
        display_name=row.display_name,
        kind=LocationKind(row.kind),
        created_at=as_utc(row.created_at),
        modified_at=as_utc(row.modified_at) if row.modified_at else None,
        ip_ranges=tuple(str(r) for r in row.ip_ranges or ()),
        is_trusted=bool(row.is_trusted),
        countries=tuple(str(c) for c in row.countries or ()),
        include_unknown_countries=bool(row.include_unknown_countries),
    )


def _location_values(location: NamedLocation) -> dict[str, Any]:
    return {
        "display_name": location.display_name,
        "kind": str(location.kind),
        "ip_ranges": list(location.ip_ranges),
        "is_trusted": location.is_trusted,
        "countries": list(location.countries),
        "include_unknown_countries": location.include_unknown_countries,
        "modified_at": location.modified_at,
    }


class SqlConditionalAccess(SqlBase):
    """Implements `ConditionalAccessRepository`."""

    def list_ca_policies(self, tenant_id: str) -> list[ConditionalAccessPolicy]:
        """Oldest first."""
        query = select(p).where(p.c.tenant_id == tenant_id).order_by(p.c.created_at, p.c.id)
        return [_policy(row) for row in self._conn.execute(query)]

    def find_ca_policy(self, tenant_id: str, policy_id: str) -> ConditionalAccessPolicy | None:
        """One policy of the tenant."""
        row = self._conn.execute(select(p).where(p.c.tenant_id == tenant_id, p.c.id == policy_id)).first()
        return _policy(row) if row is not None else None

    def add_ca_policy(self, policy: ConditionalAccessPolicy) -> None:
        """Insert."""
        values = _policy_values(policy)
        self._conn.execute(
            insert(p).values(id=policy.id, tenant_id=policy.tenant_id, created_at=policy.created_at, **values)
        )

    def update_ca_policy(self, policy: ConditionalAccessPolicy) -> None:
        """Replace everything but the id, tenant and creation time."""
        query = update(p).where(p.c.tenant_id == policy.tenant_id, p.c.id == policy.id)
        self._conn.execute(query.values(**_policy_values(policy)))

    def delete_ca_policy(self, tenant_id: str, policy_id: str) -> bool:
        """Remove one."""
        return bool(self._conn.execute(delete(p).where(p.c.tenant_id == tenant_id, p.c.id == policy_id)).rowcount)

    def list_named_locations(self, tenant_id: str) -> list[NamedLocation]:
        """Oldest first."""
        query = select(n).where(n.c.tenant_id == tenant_id).order_by(n.c.created_at, n.c.id)
        return [_location(row) for row in self._conn.execute(query)]

    def find_named_location(self, tenant_id: str, location_id: str) -> NamedLocation | None:
        """One named location of the tenant."""
        row = self._conn.execute(select(n).where(n.c.tenant_id == tenant_id, n.c.id == location_id)).first()
        return _location(row) if row is not None else None

    def add_named_location(self, location: NamedLocation) -> None:
        """Insert."""
        values = _location_values(location)
        self._conn.execute(
            insert(n).values(id=location.id, tenant_id=location.tenant_id, created_at=location.created_at, **values)
        )

    def update_named_location(self, location: NamedLocation) -> None:
        """Replace everything but the id, tenant and creation time."""
        query = update(n).where(n.c.tenant_id == location.tenant_id, n.c.id == location.id)
        self._conn.execute(query.values(**_location_values(location)))

    def delete_named_location(self, tenant_id: str, location_id: str) -> bool:
        """Remove one."""
        return bool(self._conn.execute(delete(n).where(n.c.tenant_id == tenant_id, n.c.id == location_id)).rowcount)
