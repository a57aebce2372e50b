"""The sign-in log in SQL: one row per entry, the filters of Graph's `$filter` as WHERE clauses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Dialect, Row, Select, delete, func, select
from sqlalchemy.types import TypeEngine

from tenantry.common.clock import as_utc
from tenantry.signins.models import AppliedPolicy, EventType, SignInEntry, SignInQuery
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
# Column order of `_BatchInsert`: the copied fields, then the four that need converting.
_COLUMNS = (*_COPIED, "created_at", "event_type", "error_code", "applied_policies")
_copied = attrgetter(*_COPIED)


def _processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """What a Core insert does to a value of this column on this dialect (the decorator's step included)."""
    return column_type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


class _BatchInsert:
    """The batch insert in the driver's own terms, built once per dialect: one `executemany` of tuples.

    The writer thread inserts every sign-in of a busy server, so this skips SQLAlchemy's per-row parameter
    processing (a dict per row, bind processors for every column): only the time and the JSON column go
    through the dialect's processors, exactly as a Core insert would store them."""

    def __init__(self, dialect: Dialect) -> None:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        names, markers = ", ".join(_COLUMNS), ", ".join([marker] * len(_COLUMNS))
        self.sql = f"INSERT INTO {sign_in_logs.name} ({names}) VALUES ({markers})"  # noqa: S608 (no input)
        self._when = _processor(sign_in_logs.c.created_at.type, dialect)
        self._json = _processor(sign_in_logs.c.applied_policies.type, dialect)
        self._no_policies = self._json([])

    def row(self, entry: SignInEntry) -> tuple[Any, ...]:
        """One entry's values in `_COLUMNS` order (enums as their plain string values)."""
        policies = entry.applied_conditional_access_policies
        copied = _copied(entry)
        return (
            *copied[:13],
            str(entry.client_app_used),
            *copied[14:],
            self._when(entry.created_at),
            entry.event_type.value,
            entry.status_error_code,
            self._json([p.as_json() for p in policies]) if policies else self._no_policies,
        )


_inserts: dict[str, _BatchInsert] = {}


def _batch_insert(dialect: Dialect) -> _BatchInsert:
    found = _inserts.get(dialect.name)
    if found is None:
        found = _inserts[dialect.name] = _BatchInsert(dialect)
    return found


def _entry(row: Row[Any]) -> SignInEntry:
    return SignInEntry(
        **{name: getattr(row, name) for name in _COPIED},
        created_at=as_utc(row.created_at),
        event_type=EventType(row.event_type),
        status_error_code=row.error_code,
        applied_conditional_access_policies=tuple(AppliedPolicy.from_json(p) for p in row.applied_policies),
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
        """One `executemany` for the batch (see `_BatchInsert`)."""
        if entries:
            batch = _batch_insert(self._conn.dialect)
            self._conn.exec_driver_sql(batch.sql, [batch.row(e) for e in entries])

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
