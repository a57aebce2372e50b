"""`RedisLockoutStates` against the machine's Redis (a key prefix of the test's own): the same behaviour as
the database store (tests/contracts/test_lockout.py), and concurrent failures counted exactly once each
(WATCH/MULTI retried on conflict)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from support.redis import redis_prefix, require_redis
from tenantry.passwords.models import UNFAMILIAR, LockoutKey, LockoutPolicy
from tenantry.store.redis_lockout import RedisLockoutStates

NOW = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.fixture
def states() -> Iterator[RedisLockoutStates]:
    """The Redis store under a fresh prefix (deleted afterwards)."""
    url = require_redis()
    with redis_prefix(url) as prefix:
        store = RedisLockoutStates.from_url(url, prefix)
        yield store
        store.close()


def test_count_lock_success_and_clear(states: RedisLockoutStates) -> None:
    """Unfamiliar first; a repeat is free; the threshold locks (to the microsecond); success makes the
    address familiar; clear says whether a location was locked."""
    tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
    policy = LockoutPolicy(tenant, threshold=2, duration_seconds=60)
    key, state = states.locate(tenant, user, "198.51.100.7")
    assert (key.location, state) == (UNFAMILIAR, None)
    assert states.record_failure(key, "a", NOW, policy).after.failures == 1
    assert states.record_failure(key, "a", NOW, policy).after.failures == 1
    change = states.record_failure(key, "b", NOW, policy)
    assert change.locked_now and change.after.locked_until == NOW + timedelta(seconds=60)
    assert states.locate(tenant, user, "198.51.100.9")[1] == change.after
    states.record_success(LockoutKey(tenant, user, UNFAMILIAR), "198.51.100.7")
    familiar = states.locate(tenant, user, "198.51.100.7")[0]
    assert familiar.location == "198.51.100.7"
    states.record_failure(familiar, "c", NOW, LockoutPolicy(tenant, threshold=1))
    assert states.clear(tenant, user, NOW)
    assert states.locate(tenant, user, "198.51.100.7")[1] is None
    assert not states.clear(tenant, user, NOW)


def test_concurrent_failures_are_each_counted_once(states: RedisLockoutStates) -> None:
    """Eight threads × five distinct wrong passwords on one location: exactly 40 failures."""
    tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
    policy = LockoutPolicy(tenant, threshold=100)
    key = LockoutKey(tenant, user, UNFAMILIAR)

    def attack(n: int) -> None:
        for i in range(5):
            states.record_failure(key, f"{n}-{i}", NOW, policy)

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = states.locate(tenant, user, "")[1]
    assert state is not None and state.failures == 40
