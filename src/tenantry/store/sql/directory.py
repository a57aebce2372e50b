"""Tenants and their domains in SQL."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.exc import IntegrityError

from tenantry.common.clock import as_utc
from tenantry.directory.models import Tenant
from tenantry.directory.repository import DomainTakenError
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import tenant_domains, tenants


class SqlTenants(SqlBase):
    """Implements `TenantRepository`."""

    def add_tenant(self, tenant: Tenant) -> None:
        """Insert the tenant and its domains; a domain taken meanwhile raises `DomainTakenError`."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(tenants).values(id=tenant.id, display_name=tenant.display_name, created_at=tenant.created_at)
                )
                self._conn.execute(
                    insert(tenant_domains),
                    [{"name": d, "tenant_id": tenant.id, "position": i} for i, d in enumerate(tenant.domains)],
                )
        except IntegrityError as exc:
            raise DomainTakenError(f"a domain of '{tenant.display_name}' or its id is already taken") from exc

    def _domains(self, tenant_ids: list[str]) -> dict[str, tuple[str, ...]]:
        rows = self._conn.execute(
            select(tenant_domains.c.tenant_id, tenant_domains.c.name)
            .where(tenant_domains.c.tenant_id.in_(tenant_ids))
            .order_by(tenant_domains.c.position)
        )
        found: dict[str, list[str]] = defaultdict(list)
        for tenant_id, name in rows:
            found[tenant_id].append(name)
        return {k: tuple(v) for k, v in found.items()}

    def _to_tenant(self, row: Row[Any], domains: tuple[str, ...]) -> Tenant:
        return Tenant(row.id, row.display_name, domains, as_utc(row.created_at))

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        """By GUID."""
        row = self._conn.execute(select(tenants).where(tenants.c.id == tenant_id)).first()
        return self._to_tenant(row, self._domains([row.id]).get(row.id, ())) if row else None

    def find_tenant_by_domain(self, domain: str) -> Tenant | None:
        """By verified domain (stored lower-case)."""
        tenant_id = self._conn.execute(
            select(tenant_domains.c.tenant_id).where(tenant_domains.c.name == domain.lower())
        ).scalar()
        return self.find_tenant(tenant_id) if tenant_id else None

    def list_tenants(self) -> list[Tenant]:
        """All tenants, oldest first."""
        rows = self._conn.execute(select(tenants).order_by(tenants.c.created_at, tenants.c.id)).all()
        domains = self._domains([r.id for r in rows])
        return [self._to_tenant(r, domains.get(r.id, ())) for r in rows]
