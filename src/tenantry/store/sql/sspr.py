"""Self-service password reset in SQL: tenant settings, resets in progress, registration state and the
shared attempt counters (`SqlSspr`, part of `SqlUnit`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tenantry.common.clock import as_utc
from tenantry.sessions.sspr.models import Registration, ResetFlow, ResetStep, SsprMethod, SsprPolicy, SsprScope
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import sspr_flows as f
from tenantry.store.tables import sspr_policies as p
from tenantry.store.tables import sspr_rate_counters as c
from tenantry.store.tables import sspr_registrations as r


def _dialect_insert(name: str) -> Any:
    """The dialect's INSERT with `on_conflict_do_update` (PostgreSQL, else SQLite)."""
    return postgresql.insert if name == "postgresql" else sqlite.insert


def _when(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _methods(text: str) -> tuple[SsprMethod, ...]:
    return tuple(SsprMethod(m) for m in text.split(",") if m)


def _policy(row: Any) -> SsprPolicy:
    return SsprPolicy(
        tenant_id=row.tenant_id,
        scope=SsprScope(row.scope),
        group_id=row.group_id,
        methods_required=row.methods_required,
        methods=_methods(row.methods),
        questions_to_register=row.questions_to_register,
        questions_to_reset=row.questions_to_reset,
        require_registration=row.require_registration,
        reconfirm_days=row.reconfirm_days,
        skip_days=row.skip_days,
        notify_admins=row.notify_admins,
    )


def _flow(row: Any) -> ResetFlow:
    return ResetFlow(
        handle_hash=row.handle_hash,
        upn=row.upn,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        step=ResetStep(row.step),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        verified=_methods(row.verified),
        code_hash=row.code_hash,
        code_expires_at=_when(row.code_expires_at),
        code_attempts=row.code_attempts,
    )


def _flow_values(flow: ResetFlow) -> dict[str, Any]:
    return {
        "upn": flow.upn,
        "tenant_id": flow.tenant_id,
        "user_id": flow.user_id,
        "step": str(flow.step),
        "created_at": flow.created_at,
        "expires_at": flow.expires_at,
        "verified": ",".join(flow.verified),
        "code_hash": flow.code_hash,
        "code_expires_at": flow.code_expires_at,
        "code_attempts": flow.code_attempts,
    }


class SqlSspr(SqlBase):
    """Implements the SSPR repositories of `sessions/sspr/repository.py`."""

    def find_sspr_policy(self, tenant_id: str) -> SsprPolicy | None:
        """The tenant's stored settings, if any."""
        row = self._conn.execute(select(p).where(p.c.tenant_id == tenant_id)).first()
        return _policy(row) if row is not None else None

    def save_sspr_policy(self, policy: SsprPolicy) -> None:
        """Replace the tenant's row."""
        self._conn.execute(delete(p).where(p.c.tenant_id == policy.tenant_id))
        self._conn.execute(
            insert(p).values(
                tenant_id=policy.tenant_id,
                scope=str(policy.scope),
                group_id=policy.group_id,
                methods_required=policy.methods_required,
                methods=",".join(policy.methods),
                questions_to_register=policy.questions_to_register,
                questions_to_reset=policy.questions_to_reset,
                require_registration=policy.require_registration,
                reconfirm_days=policy.reconfirm_days,
                skip_days=policy.skip_days,
                notify_admins=policy.notify_admins,
            )
        )

    def add_reset_flow(self, flow: ResetFlow) -> None:
        """Insert."""
        self._conn.execute(insert(f).values(handle_hash=flow.handle_hash, **_flow_values(flow)))

    def find_reset_flow(self, handle_hash: bytes) -> ResetFlow | None:
        """By handle hash."""
        row = self._conn.execute(select(f).where(f.c.handle_hash == handle_hash)).first()
        return _flow(row) if row is not None else None

    def update_reset_flow_if(self, flow: ResetFlow, expected: ResetStep, attempts: int) -> bool:
        """Compare-and-set on the step and the wrong-code count."""
        query = update(f).where(
            f.c.handle_hash == flow.handle_hash, f.c.step == str(expected), f.c.code_attempts == attempts
        )
        return bool(self._conn.execute(query.values(**_flow_values(flow))).rowcount)

    def purge_reset_flows(self, expired_before: datetime) -> None:
        """Delete expired flows."""
        self._conn.execute(delete(f).where(f.c.expires_at < expired_before))

    def count_attempt(self, key: bytes, now: datetime, window_seconds: int) -> int:
        """One atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and PostgreSQL alike): a
        live window counts one more, an ended one starts again at 1, so concurrent attempts of several server
        processes are each counted once."""
        start = now - timedelta(seconds=window_seconds)
        live = c.c.window_start > start
        upsert = _dialect_insert(self._conn.dialect.name)(c).values(key=key, window_start=now, count=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[c.c.key],
            set_={
                "count": case((live, c.c.count + 1), else_=1),
                "window_start": case((live, c.c.window_start), else_=literal(now, c.c.window_start.type)),
            },
        ).returning(c.c.count)
        return int(self._conn.execute(upsert).scalar_one())

    def find_sspr_registration(self, tenant_id: str, user_id: str) -> Registration | None:
        """The user's registration state."""
        row = self._conn.execute(select(r).where(r.c.tenant_id == tenant_id, r.c.user_id == user_id)).first()
        if row is None:
            return None
        return Registration(tenant_id, user_id, _when(row.confirmed_at), _when(row.snoozed_until))

    def save_sspr_registration(self, registration: Registration) -> None:
        """Replace the user's row."""
        self._conn.execute(
            delete(r).where(r.c.tenant_id == registration.tenant_id, r.c.user_id == registration.user_id)
        )
        self._conn.execute(
            insert(r).values(
                tenant_id=registration.tenant_id,
                user_id=registration.user_id,
                confirmed_at=registration.confirmed_at,
                snoozed_until=registration.snoozed_until,
            )
        )
