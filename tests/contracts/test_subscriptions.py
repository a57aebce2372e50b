"""`SubscriptionRepository` contract and `SubscriptionService` on both backends: round trip, order, tenant
isolation, and the service's refusals (unknown tenant, empty or long names)."""

from __future__ import annotations

import pytest

from tenantry.common.clock import FixedClock
from tenantry.directory.models import Tenant
from tenantry.directory.subscriptions import SubscriptionError, SubscriptionService
from tenantry.store.unit_of_work import Store

from .conftest import tenant_record


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


@pytest.fixture
def subscriptions(store: Store, clock: FixedClock) -> SubscriptionService:
    """The service over the store under test."""
    return SubscriptionService(store.transaction, clock)


def test_created_subscriptions_list_oldest_first(
    subscriptions: SubscriptionService, tenant: Tenant, clock: FixedClock
) -> None:
    """Stored as created (a fresh lower-case GUID, Enabled), listed in creation order, found by id in any case."""
    first = subscriptions.create(tenant.id, "Dev")
    clock.advance(1)
    second = subscriptions.create(tenant.id, "  Prod ünïcödé  ")
    assert subscriptions.list(tenant.id) == [first, second]
    assert second.display_name == "Prod ünïcödé" and first.state == "Enabled" and first.id == first.id.lower()
    assert subscriptions.find(tenant.id, second.id.upper()) == second


def test_subscriptions_stay_in_their_tenant(store: Store, subscriptions: SubscriptionService, tenant: Tenant) -> None:
    """Another tenant neither lists nor finds them."""
    other = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(other)
    mine = subscriptions.create(tenant.id, "Mine")
    assert subscriptions.list(other.id) == []
    assert subscriptions.find(other.id, mine.id) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_names_are_checked(subscriptions: SubscriptionService, tenant: Tenant, name: str) -> None:
    """1 to 64 characters once trimmed."""
    with pytest.raises(SubscriptionError, match="1 to 64"):
        subscriptions.create(tenant.id, name)


def test_an_unknown_tenant_is_refused(subscriptions: SubscriptionService) -> None:
    """Nothing is stored for a tenant that does not exist."""
    with pytest.raises(SubscriptionError, match="does not exist"):
        subscriptions.create("3f0a4b2c-0000-4000-8000-000000000000", "Orphan")
