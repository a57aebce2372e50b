"""Owners of app registrations in SQL."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import application_owners


class SqlOwners(SqlBase):
    """Implements `OwnerRepository`."""

    def add_owner(self, tenant_id: str, application_id: str, owner_id: str, owner_type: str) -> None:
        """Insert an ownership, ignoring a duplicate (any other integrity error, e.g. an unknown app, raises)."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(application_owners).values(
                        tenant_id=tenant_id, application_id=application_id, owner_id=owner_id, owner_type=owner_type
                    )
                )
        except IntegrityError:
            if not self._owns(tenant_id, application_id, owner_id):
                raise

    def _owns(self, tenant_id: str, application_id: str, owner_id: str) -> bool:
        t = application_owners
        row = self._conn.execute(
            select(t.c.owner_id).where(
                t.c.tenant_id == tenant_id, t.c.application_id == application_id, t.c.owner_id == owner_id
            )
        ).first()
        return row is not None

    def remove_owner(self, tenant_id: str, application_id: str, owner_id: str) -> bool:
        """Delete one ownership of the tenant's application."""
        t = application_owners
        result = self._conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id, t.c.owner_id == owner_id)
        )
        return result.rowcount > 0

    def list_owners(self, tenant_id: str, application_id: str) -> list[tuple[str, str]]:
        """(owner id, owner type) pairs, ordered by owner id."""
        t = application_owners
        rows = self._conn.execute(
            select(t.c.owner_id, t.c.owner_type)
            .where(t.c.tenant_id == tenant_id, t.c.application_id == application_id)
            .order_by(t.c.owner_id)
        )
        return [(r.owner_id, r.owner_type) for r in rows]

    def list_owned_application_ids(self, tenant_id: str, owner_id: str) -> list[str]:
        """Object ids of the tenant's applications `owner_id` owns, ordered by id."""
        t = application_owners
        rows = self._conn.execute(
            select(t.c.application_id)
            .where(t.c.tenant_id == tenant_id, t.c.owner_id == owner_id)
            .order_by(t.c.application_id)
        )
        return [r.application_id for r in rows]
