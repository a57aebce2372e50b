"""Azure subscriptions of a tenant in SQL (`directory/subscriptions.py`)."""

from __future__ import annotations

from sqlalchemy import insert, select

from tenantry.common.clock import as_utc
from tenantry.directory.subscriptions import Subscription
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import subscriptions


class SqlSubscriptions(SqlBase):
    """Implements `SubscriptionRepository`."""

    def add_subscription(self, subscription: Subscription) -> None:
        """Insert one row."""
        self._conn.execute(
            insert(subscriptions).values(
                id=subscription.id,
                tenant_id=subscription.tenant_id,
                display_name=subscription.display_name,
                state=subscription.state,
                created_at=subscription.created_at,
            )
        )

    def list_subscriptions(self, tenant_id: str) -> list[Subscription]:
        """The tenant's subscriptions, oldest first."""
        t = subscriptions
        rows = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.created_at, t.c.id))
        return [Subscription(r.id, r.tenant_id, r.display_name, as_utc(r.created_at), r.state) for r in rows]
