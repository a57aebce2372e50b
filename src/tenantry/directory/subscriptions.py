"""Azure subscriptions a tenant holds, so that `az account list/set` have something to list.

Tenantry manages no Azure resources: a subscription here is a name and an id under a tenant, which the ARM
surface (`GET /subscriptions`) shows to every principal of that tenant (there is no Azure RBAC to narrow
it). A tenant needs none: `az login --allow-no-subscriptions` then works at tenant level.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.repository import TenantRepository

MAX_NAME_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Subscription:
    """One subscription (ARM `Subscription`): `state` is always `Enabled` here."""

    id: str
    tenant_id: str
    display_name: str
    created_at: datetime
    state: str = "Enabled"


class SubscriptionRepository(Protocol):
    """Subscriptions, always within one tenant."""

    def add_subscription(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        ...

    def list_subscriptions(self, tenant_id: str) -> list[Subscription]:
        """The tenant's subscriptions, oldest first."""
        ...


class SubscriptionsUnit(TenantRepository, SubscriptionRepository, Protocol):
    """What subscription management reads and writes."""


class SubscriptionError(ValueError):
    """A subscription that cannot be created; the message says why."""


class SubscriptionService:
    """Create and list a tenant's subscriptions; each call is one transaction."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[SubscriptionsUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def create(self, tenant_id: str, display_name: str) -> Subscription:
        """A new subscription of an existing tenant, with a fresh GUID as its id (as Azure gives)."""
        name = display_name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise SubscriptionError(f"a subscription name has 1 to {MAX_NAME_LENGTH} characters")
        subscription = Subscription(new_guid(), tenant_id, name, self._clock.now())
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise SubscriptionError(f"tenant '{tenant_id}' does not exist")
            unit.add_subscription(subscription)
        return subscription

    def list(self, tenant_id: str) -> list[Subscription]:
        """The tenant's subscriptions, oldest first."""
        with self._transaction() as unit:
            return unit.list_subscriptions(tenant_id)

    def find(self, tenant_id: str, subscription_id: str) -> Subscription | None:
        """One subscription of the tenant (ids compare case-insensitively, as GUIDs do)."""
        wanted = subscription_id.lower()
        return next((s for s in self.list(tenant_id) if s.id == wanted), None)
