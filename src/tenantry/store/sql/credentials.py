"""Client secrets (hash + hint), certificates and the client-assertion replay cache in SQL."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.exc import IntegrityError

from tenantry.common.clock import as_utc
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import key_credentials, password_credentials, used_assertions

# Purge expired replay entries on roughly one insert in this many.
_PURGE_EVERY = 64


def _password(row: Row[Any]) -> PasswordCredential:
    return PasswordCredential(
        row.key_id,
        row.tenant_id,
        row.application_id,
        row.display_name,
        row.hint,
        bytes(row.secret_hash),
        as_utc(row.start_at),
        as_utc(row.end_at),
    )


def _key(row: Row[Any]) -> KeyCredential:
    return KeyCredential(
        row.key_id,
        row.tenant_id,
        row.application_id,
        row.display_name,
        bytes(row.cert_der),
        bytes(row.thumbprint_sha1),
        bytes(row.thumbprint_sha256),
        as_utc(row.start_at),
        as_utc(row.end_at),
        row.type,
        row.usage,
    )


class SqlCredentials(SqlBase):
    """Implements `CredentialRepository` and `AssertionReplayRepository`."""

    _inserts = 0

    def add_password_credential(self, credential: PasswordCredential) -> None:
        """Insert hash and hint; the clear value never reaches this layer."""
        self._conn.execute(
            insert(password_credentials).values(
                key_id=credential.key_id,
                tenant_id=credential.tenant_id,
                application_id=credential.application_id,
                display_name=credential.display_name,
                hint=credential.hint,
                secret_hash=credential.secret_hash,
                start_at=credential.start,
                end_at=credential.end,
            )
        )

    def list_password_credentials(self, tenant_id: str, application_id: str) -> list[PasswordCredential]:
        """The app's secrets, oldest first."""
        t = password_credentials
        rows = self._conn.execute(
            select(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id).order_by(t.c.start_at)
        )
        return [_password(r) for r in rows]

    def remove_password_credential(self, tenant_id: str, application_id: str, key_id: str) -> bool:
        """Delete one secret."""
        t = password_credentials
        result = self._conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id, t.c.key_id == key_id)
        )
        return result.rowcount > 0

    def add_key_credential(self, credential: KeyCredential) -> None:
        """Insert a certificate."""
        self._conn.execute(
            insert(key_credentials).values(
                key_id=credential.key_id,
                tenant_id=credential.tenant_id,
                application_id=credential.application_id,
                display_name=credential.display_name,
                type=credential.type,
                usage=credential.usage,
                cert_der=credential.cert_der,
                thumbprint_sha1=credential.thumbprint_sha1,
                thumbprint_sha256=credential.thumbprint_sha256,
                start_at=credential.start,
                end_at=credential.end,
            )
        )

    def list_key_credentials(self, tenant_id: str, application_id: str) -> list[KeyCredential]:
        """The app's certificates, oldest first."""
        t = key_credentials
        rows = self._conn.execute(
            select(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id).order_by(t.c.start_at)
        )
        return [_key(r) for r in rows]

    def remove_key_credential(self, tenant_id: str, application_id: str, key_id: str) -> bool:
        """Delete one certificate."""
        t = key_credentials
        result = self._conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id, t.c.key_id == key_id)
        )
        return result.rowcount > 0

    def remember_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        """Insert (client, sha256(jti)); a duplicate key means the assertion was replayed."""
        jti_hash = hashlib.sha256(jti.encode("utf-8")).digest()
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(used_assertions).values(client_id=client_id, jti_hash=jti_hash, expires_at=expires_at)
                )
        except IntegrityError:
            return False
        SqlCredentials._inserts += 1
        if SqlCredentials._inserts % _PURGE_EVERY == 0:
            self._conn.execute(delete(used_assertions).where(used_assertions.c.expires_at < now))
        return True
