"""The sign-in log in SQL: one row per entry, the filters of Graph's `$filter` as WHERE clauses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, delete, func, insert, select

from tenantry.common.clock import as_utc
from tenantry.signins.models import EventType, SignInEntry, SignInQuery
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import sign_in_logs

_COPIED = (
    "id",
    "tenant_id",
    "failure_reason",
    "user_id",
    "user_principal_name",
    "user_display_name",
    "app_id",
    "app_display_name",
    "resource_id",
    "resource_display_name",
    "service_principal_id",
    "service_principal_name",
    "ip_address",
    "client_app_used",
    "correlation_id",
    "is_interactive",
    "conditional_access_status",
    "authentication_requirement",
)


def _row(entry: SignInEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _COPIED}
    values.update(
        created_at=entry.created_at,
        event_type=entry.event_type.value,
        error_code=entry.status_error_code,
        applied_policies=list(entry.applied_conditional_access_policies),
    )
    return values


def _entry(row: Row[Any]) -> SignInEntry:
    return SignInEntry(
        **{name: getattr(row, name) for name in _COPIED},
        created_at=as_utc(row.created_at),
        event_type=EventType(row.event_type),
        status_error_code=row.error_code,
        applied_conditional_access_policies=tuple(row.applied_policies),
    )


def _filtered(query: SignInQuery) -> Select[Any]:
    t = sign_in_logs
    stmt = select(t).where(t.c.tenant_id == query.tenant_id)
    if query.error_code is not None:
        stmt = stmt.where(t.c.error_code == query.error_code)
    if query.user_principal_name is not None:
        stmt = stmt.where(func.lower(t.c.user_principal_name) == query.user_principal_name.lower())
    if query.app_id is not None:
        stmt = stmt.where(func.lower(t.c.app_id) == query.app_id.lower())
    if query.since is not None:
        stmt = stmt.where(t.c.created_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(t.c.created_at <= query.until)
    return stmt


class SqlSignInLogs(SqlBase):
    """Implements `SignInLogRepository`."""

    def add_sign_ins(self, entries: Sequence[SignInEntry]) -> None:
        """One multi-row insert for the batch."""
        if entries:
            self._conn.execute(insert(sign_in_logs), [_row(e) for e in entries])

    def list_sign_ins(self, query: SignInQuery) -> list[SignInEntry]:
        """Newest first; entries of the same instant newest-inserted first."""
        t = sign_in_logs
        stmt = _filtered(query).order_by(t.c.created_at.desc(), t.c.seq.desc()).limit(query.limit)
        return [_entry(r) for r in self._conn.execute(stmt)]

    def find_sign_in(self, tenant_id: str, entry_id: str) -> SignInEntry | None:
        """By id, within the tenant."""
        t = sign_in_logs
        row = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id, t.c.id == entry_id)).first()
        return _entry(row) if row is not None else None

    def purge_sign_ins(self, before: datetime) -> int:
        """Delete by age, across tenants."""
        result = self._conn.execute(delete(sign_in_logs).where(sign_in_logs.c.created_at < before))
        return result.rowcount or 0
