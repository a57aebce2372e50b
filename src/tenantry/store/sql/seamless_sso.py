"""Seamless SSO keys in SQL (the sealed bytes only; sso/service.py seals and opens them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, insert, select

from tenantry.common.clock import as_utc
from tenantry.directory.models import User
from tenantry.sso.models import SsoKey
from tenantry.store.sql.base import SqlBase
from tenantry.store.sql.users import user_from_row
from tenantry.store.tables import seamless_sso_keys, users


def _key(row: Row[Any]) -> SsoKey:
    return SsoKey(
        tenant_id=row.tenant_id,
        realm=row.realm,
        principal=row.principal,
        kvno=row.kvno,
        enctype=row.enctype,
        sealed_key=bytes(row.sealed_key),
        imported_at=as_utc(row.imported_at),
    )


class SqlSeamlessSso(SqlBase):
    """Implements `SeamlessSsoRepository`."""

    def list_sso_keys(self, tenant_id: str) -> list[SsoKey]:
        """Every key of the tenant, newest key version first."""
        t = seamless_sso_keys
        query = select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.realm, t.c.kvno.desc(), t.c.enctype)
        return [_key(row) for row in self._conn.execute(query)]

    def replace_sso_keys(self, tenant_id: str, realm: str, keys: list[SsoKey]) -> None:
        """Delete the realm's keys and insert `keys`, in the caller's transaction."""
        self.delete_sso_keys(tenant_id, realm)
        for key in keys:
            self._conn.execute(
                insert(seamless_sso_keys).values(
                    tenant_id=tenant_id,
                    realm=realm,
                    principal=key.principal,
                    kvno=key.kvno,
                    enctype=key.enctype,
                    sealed_key=key.sealed_key,
                    imported_at=key.imported_at,
                )
            )

    def delete_sso_keys(self, tenant_id: str, realm: str | None) -> int:
        """One realm's keys, or all the tenant's."""
        t = seamless_sso_keys
        condition = t.c.tenant_id == tenant_id
        if realm is not None:
            condition = condition & (t.c.realm == realm)
        return int(self._conn.execute(delete(t).where(condition)).rowcount or 0)

    def find_user_by_kerberos_principal(self, tenant_id: str, principal: str) -> User | None:
        """By on-premises UPN first, then by sAMAccountName (the principal's name part)."""
        name = principal.rsplit("@", 1)[0]
        for column, value in (
            (users.c.on_premises_user_principal_name, principal),
            (users.c.on_premises_sam_account_name, name),
        ):
            query = select(users).where(users.c.tenant_id == tenant_id, func.lower(column) == value.lower())
            row = self._conn.execute(query.limit(1)).first()
            if row is not None:
                return user_from_row(row)
        return None
