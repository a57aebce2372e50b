"""SSO sessions in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from tenantry.common.clock import as_utc
from tenantry.sessions.models import SsoSession
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import sso_sessions


def _session(row: Any) -> SsoSession:
    return SsoSession(
        row.id,
        row.tenant_id,
        row.user_id,
        as_utc(row.created_at),
        as_utc(row.last_seen_at),
        as_utc(row.auth_time),
        row.persistent,
        tuple(row.auth_methods.split()),
        as_utc(row.revoked_at) if row.revoked_at else None,
    )


class SqlSessions(SqlBase):
    """Implements `SessionRepository`."""

    def add_session(self, session: SsoSession, token_hash: bytes) -> None:
        """Insert."""
        self._conn.execute(
            insert(sso_sessions).values(
                id=session.id,
                token_hash=token_hash,
                tenant_id=session.tenant_id,
                user_id=session.user_id,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                auth_time=session.auth_time,
                persistent=session.persistent,
                auth_methods=" ".join(session.auth_methods),
                revoked_at=session.revoked_at,
            )
        )

    def find_session(self, token_hash: bytes) -> SsoSession | None:
        """By cookie-token hash."""
        row = self._conn.execute(select(sso_sessions).where(sso_sessions.c.token_hash == token_hash)).first()
        return _session(row) if row is not None else None

    def find_session_by_id(self, session_id: str) -> SsoSession | None:
        """By id."""
        row = self._conn.execute(select(sso_sessions).where(sso_sessions.c.id == session_id)).first()
        return _session(row) if row is not None else None

    def touch_session(self, session_id: str, when: datetime, *, persistent: bool | None = None) -> None:
        """Slide the inactivity window."""
        values: dict[str, Any] = {"last_seen_at": when}
        if persistent is not None:
            values["persistent"] = persistent
        self._conn.execute(update(sso_sessions).where(sso_sessions.c.id == session_id).values(**values))

    def revoke_session(self, session_id: str, when: datetime) -> None:
        """Mark revoked."""
        self._conn.execute(update(sso_sessions).where(sso_sessions.c.id == session_id).values(revoked_at=when))
