"""Delegated-permission grants (consent) in SQL."""

from __future__ import annotations

from sqlalchemy import insert, select, update

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
        return [
            PermissionGrant(
                r.id,
                r.tenant_id,
                r.client_id,
                r.resource_id,
                r.consent_type,
                r.principal_id or None,
                tuple(r.scopes.split()),
                as_utc(r.created_at),
            )
            for r in rows
        ]

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
