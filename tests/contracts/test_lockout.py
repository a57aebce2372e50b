"""Smart lockout storage on both backends: `LockoutPolicyRepository` (absent → None, upsert round-trip) and
the database `LockoutStateStore` (`SqlLockoutStates`): familiar addresses, counting, the repeated-password
rule, success and unlock, deletion with the user, and concurrent failures counted exactly once each."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant, User
from tenantry.passwords.models import UNFAMILIAR, LockoutKey, LockoutPolicy
from tenantry.store.sql.lockout import SqlLockoutStates
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record


@pytest.fixture
def user(store: Store) -> User:
    """A user of a tenant of the test's own."""
    tenant: Tenant = tenant_record()
    user = User(new_guid(), tenant.id, f"ada@{tenant.domains[0]}", "Ada", NOW, password_hash="x")
    with store.transaction(write=True) as unit:
        unit.add_tenant(tenant)
        unit.add_user(user)
    return user


@pytest.fixture
def states(store: Store) -> SqlLockoutStates:
    """The database state store over the store under test."""
    return SqlLockoutStates(store.transaction)


def test_lockout_policy_round_trip(store: Store, user: User) -> None:
    """Absent is None; saving twice updates (blocked ranges kept in order)."""
    with store.transaction(write=True) as unit:
        assert unit.find_lockout_policy(user.tenant_id) is None
        unit.save_lockout_policy(LockoutPolicy(user.tenant_id, 5, 120, ("203.0.113.0/24",)))
        unit.save_lockout_policy(LockoutPolicy(user.tenant_id, 3, 30, ("203.0.113.0/24", "2001:db8::/32")))
    with store.transaction() as unit:
        assert unit.find_lockout_policy(user.tenant_id) == LockoutPolicy(
            user.tenant_id, 3, 30, ("203.0.113.0/24", "2001:db8::/32")
        )


def test_failures_count_lock_and_success_makes_the_address_familiar(states: SqlLockoutStates, user: User) -> None:
    """An unknown address is the unfamiliar location; distinct passwords count, a repeated one does not;
    the threshold locks; success clears the location and makes the address a location of its own."""
    policy = LockoutPolicy(user.tenant_id, threshold=3, duration_seconds=60)
    key, state = states.locate(user.tenant_id, user.id, "198.51.100.7")
    assert (key.location, state) == (UNFAMILIAR, None)
    assert states.record_failure(key, "a", NOW, policy).after.failures == 1
    assert states.record_failure(key, "a", NOW, policy).after.failures == 1  # repeated: not counted
    assert not states.record_failure(key, "b", NOW, policy).locked_now
    change = states.record_failure(key, "c", NOW, policy)
    assert change.locked_now and change.after.locked_until == NOW + timedelta(seconds=60)
    assert states.locate(user.tenant_id, user.id, "198.51.100.8")[1] == change.after
    states.record_success(key, "198.51.100.7")
    familiar, clean = states.locate(user.tenant_id, user.id, "198.51.100.7")
    assert (familiar.location, clean) == ("198.51.100.7", None)
    assert states.locate(user.tenant_id, user.id, "198.51.100.8")[1] is None


def test_clear_says_whether_a_location_was_locked(store: Store, states: SqlLockoutStates, user: User) -> None:
    """An admin unlock forgets every location; the state goes with the user."""
    policy = LockoutPolicy(user.tenant_id, threshold=1)
    key = LockoutKey(user.tenant_id, user.id, UNFAMILIAR)
    assert not states.clear(user.tenant_id, user.id, NOW)
    states.record_failure(key, "a", NOW, policy)
    assert states.clear(user.tenant_id, user.id, NOW)
    assert states.locate(user.tenant_id, user.id, "")[1] is None
    states.record_failure(key, "a", NOW, policy)
    states.record_success(LockoutKey(user.tenant_id, user.id, "192.0.2.1"), "192.0.2.1")
    with store.transaction(write=True) as unit:
        unit.delete_user(user.tenant_id, user.id)
    with store.transaction() as unit:
        assert unit.find_lockout_state(key) is None
        assert not unit.is_familiar_address(user.tenant_id, user.id, "192.0.2.1")


def test_concurrent_failures_are_each_counted_once(states: SqlLockoutStates, user: User) -> None:
    """Eight threads (own connections, as server processes have) each record 5 distinct wrong passwords:
    the location ends at exactly 40 failures."""
    policy = LockoutPolicy(user.tenant_id, threshold=100)
    key = LockoutKey(user.tenant_id, user.id, UNFAMILIAR)

    def attack(n: int) -> None:
        for i in range(5):
            states.record_failure(key, f"{n}-{i}", NOW, policy)

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = states.locate(user.tenant_id, user.id, "")[1]
    assert state is not None and state.failures == 40
