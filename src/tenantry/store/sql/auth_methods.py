"""Users' authentication methods (TOTP, Temporary Access Pass) in SQL; secrets arrive sealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update

from tenantry.common.clock import as_utc
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import user_auth_methods as t
from tenantry.store.tables import user_mfa_requirements as r


def _method(row: Any) -> AuthMethod:
    return AuthMethod(
        id=row.id,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        type=MethodType(row.type),
        display_name=row.display_name,
        created_at=as_utc(row.created_at),
        sealed_secret=row.sealed_secret,
        last_used_step=row.last_used_step,
        pass_hash=row.pass_hash,
        start=as_utc(row.start_at) if row.start_at else None,
        lifetime_minutes=row.lifetime_minutes,
        usable_once=row.usable_once,
        used_at=as_utc(row.used_at) if row.used_at else None,
        email_address=row.email_address,
    )


class SqlAuthMethods(SqlBase):
    """Implements `AuthMethodRepository`."""

    def add_auth_method(self, method: AuthMethod) -> None:
        """Insert."""
        self._conn.execute(
            insert(t).values(
                id=method.id,
                tenant_id=method.tenant_id,
                user_id=method.user_id,
                type=str(method.type),
                display_name=method.display_name,
                created_at=method.created_at,
                sealed_secret=method.sealed_secret,
                last_used_step=method.last_used_step,
                pass_hash=method.pass_hash,
                start_at=method.start,
                lifetime_minutes=method.lifetime_minutes,
                usable_once=method.usable_once,
                used_at=method.used_at,
                email_address=method.email_address,
            )
        )

    def list_auth_methods(self, tenant_id: str, user_id: str) -> list[AuthMethod]:
        """Oldest first."""
        query = select(t).where(t.c.tenant_id == tenant_id, t.c.user_id == user_id).order_by(t.c.created_at, t.c.id)
        return [_method(row) for row in self._conn.execute(query)]

    def find_auth_method(self, tenant_id: str, user_id: str, method_id: str) -> AuthMethod | None:
        """One method of the user."""
        query = select(t).where(t.c.tenant_id == tenant_id, t.c.user_id == user_id, t.c.id == method_id)
        row = self._conn.execute(query).first()
        return _method(row) if row is not None else None

    def delete_auth_method(self, tenant_id: str, user_id: str, method_id: str) -> bool:
        """Remove one."""
        query = delete(t).where(t.c.tenant_id == tenant_id, t.c.user_id == user_id, t.c.id == method_id)
        return bool(self._conn.execute(query).rowcount)

    def use_auth_method(self, method: AuthMethod, *, step: int | None = None, used_at: datetime | None = None) -> bool:
        """Compare-and-set on the last step (TOTP) or on `used_at` for a once-only TAP."""
        query = update(t).where(t.c.id == method.id, t.c.tenant_id == method.tenant_id)
        values: dict[str, Any] = {}
        if step is not None:
            query = query.where(or_(t.c.last_used_step.is_(None), t.c.last_used_step < step))
            values["last_used_step"] = step
        if used_at is not None:
            values["used_at"] = used_at
            if method.usable_once:
                query = query.where(and_(t.c.used_at.is_(None)))
        if not values:
            return True
        return bool(self._conn.execute(query.values(**values)).rowcount)

    def update_auth_method_address(self, method: AuthMethod) -> None:
        """Change an e-mail method's address."""
        query = update(t).where(t.c.id == method.id, t.c.tenant_id == method.tenant_id)
        self._conn.execute(query.values(email_address=method.email_address))

    def find_mfa_state(self, tenant_id: str, user_id: str) -> str:
        """`disabled` unless a state is stored."""
        row = self._conn.execute(select(r.c.state).where(r.c.tenant_id == tenant_id, r.c.user_id == user_id)).first()
        return str(row.state) if row is not None else "disabled"

    def save_mfa_state(self, tenant_id: str, user_id: str, state: str) -> None:
        """Upsert; `disabled` deletes the row."""
        self._conn.execute(delete(r).where(r.c.tenant_id == tenant_id, r.c.user_id == user_id))
        if state != "disabled":
            self._conn.execute(insert(r).values(tenant_id=tenant_id, user_id=user_id, state=state))
