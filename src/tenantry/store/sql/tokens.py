"""Signing keys in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import signing_keys
from tenantry.tokens.models import StoredSigningKey


class SqlSigningKeys(SqlBase):
    """Implements `SigningKeyRepository`."""

    def list_signing_keys(self) -> list[StoredSigningKey]:
        """All keys, oldest first."""
        rows = self._conn.execute(select(signing_keys).order_by(signing_keys.c.created_at))
        return [
            StoredSigningKey(
                r.kid,
                bytes(r.sealed_private_key),
                bytes(r.cert_der),
                r.created_at,
                r.activates_at,
                r.retires_at,
            )
            for r in rows
        ]

    def add_signing_key(self, key: StoredSigningKey) -> None:
        """Insert."""
        self._conn.execute(
            insert(signing_keys).values(
                kid=key.kid,
                sealed_private_key=key.sealed_private_key,
                cert_der=key.cert_der,
                created_at=key.created_at,
                activates_at=key.activates_at,
                retires_at=key.retires_at,
            )
        )

    def retire_signing_key(self, kid: str, retires_at: datetime) -> None:
        """Set the retirement time."""
        self._conn.execute(update(signing_keys).where(signing_keys.c.kid == kid).values(retires_at=retires_at))
