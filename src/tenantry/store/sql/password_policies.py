"""Tenant password policies in SQL: validity in days (NULL: never expires) and custom banned terms (JSON)."""

from __future__ import annotations

import json

from sqlalchemy import insert, select, update

from tenantry.directory.models import PasswordPolicy
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import tenant_password_policies


class SqlPasswordPolicies(SqlBase):
    """Implements `PasswordPolicyRepository`."""

    def find_password_policy(self, tenant_id: str) -> PasswordPolicy | None:
        """The tenant's stored policy, if any."""
        t = tenant_password_policies
        row = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id)).first()
        if row is None:
            return None
        terms = json.loads(row.banned_terms or "[]")
        return PasswordPolicy(tenant_id, row.validity_days, tuple(str(term) for term in terms))

    def save_password_policy(self, policy: PasswordPolicy) -> None:
        """Upsert by tenant."""
        t = tenant_password_policies
        values = {"validity_days": policy.validity_days, "banned_terms": json.dumps(list(policy.banned_terms))}
        if self._conn.execute(select(t.c.tenant_id).where(t.c.tenant_id == policy.tenant_id)).first():
            self._conn.execute(update(t).where(t.c.tenant_id == policy.tenant_id).values(**values))
            return
        self._conn.execute(insert(t).values(tenant_id=policy.tenant_id, **values))
