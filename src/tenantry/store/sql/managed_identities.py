"""Managed identities in SQL (`apps/managed_identities.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, insert, select

from tenantry.apps.managed_identities import IdentityKind, ManagedIdentity, SecretKind
from tenantry.common.clock import as_utc
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import managed_identities, service_principals


def _identity(row: Row[Any]) -> ManagedIdentity:
    return ManagedIdentity(
        row.id, row.tenant_id, row.app_id, row.name, IdentityKind(row.kind), row.resource_id, as_utc(row.created_at)
    )


def _joined() -> Any:
    """The identity's row with its service principal's appId."""
    m, sp = managed_identities, service_principals
    return select(m, sp.c.app_id).join(sp, sp.c.id == m.c.id)


class SqlManagedIdentities(SqlBase):
    """Implements `ManagedIdentityRepository`."""

    def add_managed_identity(self, identity: ManagedIdentity, header_hash: bytes, imds_hash: bytes) -> None:
        """Insert one row (the service principal exists already)."""
        self._conn.execute(
            insert(managed_identities).values(
                id=identity.id,
                tenant_id=identity.tenant_id,
                name=identity.name,
                kind=identity.kind.value,
                resource_id=identity.resource_id,
                header_hash=header_hash,
                imds_hash=imds_hash,
                created_at=identity.created_at,
            )
        )

    def list_managed_identities(self, tenant_id: str) -> list[ManagedIdentity]:
        """The tenant's identities, oldest first."""
        m = managed_identities
        rows = self._conn.execute(_joined().where(m.c.tenant_id == tenant_id).order_by(m.c.created_at, m.c.id))
        return [_identity(r) for r in rows]

    def find_managed_identity_by_secret(self, kind: SecretKind, digest: bytes) -> ManagedIdentity | None:
        """By the digest of one of its secrets (unique across tenants)."""
        m = managed_identities
        column = m.c.header_hash if kind is SecretKind.HEADER else m.c.imds_hash
        row = self._conn.execute(_joined().where(column == digest)).first()
        return _identity(row) if row else None
