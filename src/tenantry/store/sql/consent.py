"""Delegated-permission grants (consent) in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from tenantry.apps.models import PermissionGrant
from tenantry.common.clock import as_utc
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import permission_grants


class SqlPermissionGrants(SqlBase):
    """Implements `PermissionGrantRepository`."""

    def list_permission_grants(self, tenant_id: str, client_id: str, resource_id: str) -> list[PermissionGrant]:
        """Admin and per-user grants of one client on one resource."""
        t = permission_grants
        rows = self._conn.execute(
            select(t).where(t.c.tenant_id == tenant_id, t.c.client_id == client_id, t.c.resource_id == resource_id)
        )
        return [_grant(r) for r in rows]

    def list_principal_permission_grants(self, tenant_id: str, principal_id: str) -> list[PermissionGrant]:
        """One user's own grants, oldest first (`UserGrantRepository`)."""
        t = permission_grants
        if not principal_id:  # "" is admin consent's principal column
            return []
        query = select(t).where(t.c.tenant_id == tenant_id, t.c.principal_id == principal_id)
        return [_grant(r) for r in self._conn.execute(query.order_by(t.c.created_at, t.c.id))]

    def delete_permission_grant(self, tenant_id: str, grant_id: str) -> bool:
        """Delete one grant of the tenant (`UserGrantRepository`)."""
        t = permission_grants
        result = self._conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == grant_id))
        return bool(result.rowcount)

    def save_permission_grant(self, grant: PermissionGrant) -> None:
        """Upsert by (tenant, client, resource, principal)."""
        t = permission_grants
        principal = grant.principal_id or ""
        match = (
            t.c.tenant_id == grant.tenant_id,
            t.c.client_id == grant.client_id,
            t.c.resource_id == grant.resource_id,
            t.c.principal_id == principal,
        )
        scopes = " ".join(grant.scopes)
        if self._conn.execute(select(t.c.id).where(*match)).first():
            self._conn.execute(update(t).where(*match).values(scopes=scopes))
            return
        self._conn.execute(
            insert(t).values(
                id=grant.id,
                tenant_id=grant.tenant_id,
                client_id=grant.client_id,
                resource_id=grant.resource_id,
                consent_type=grant.consent_type,
                principal_id=principal,
                scopes=scopes,
                created_at=grant.created_at,
            )
        )


def _grant(r: Row[Any]) -> PermissionGrant:
    return PermissionGrant(
        r.id,
        r.tenant_id,
        r.client_id,
        r.resource_id,
        r.consent_type,
        r.principal_id or None,
        tuple(r.scopes.split()),
        as_utc(r.created_at),
    )
