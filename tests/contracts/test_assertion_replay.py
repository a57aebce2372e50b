"""`AssertionReplayRepository` contract: a client assertion's `jti` is accepted once (RFC 7523 §3, item 7)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import NOW

LATER = NOW + timedelta(minutes=10)


def remember(store: Store, client_id: str, jti: str, expires_at: datetime = LATER, now: datetime = NOW) -> bool:
    """`remember_assertion` in a transaction of its own."""
    with store.transaction() as unit:
        return unit.remember_assertion(client_id, jti, expires_at, now)


def test_a_jti_is_accepted_once_per_client(store: Store) -> None:
    """True the first time, False for the same client and jti, True for the same jti from another client."""
    client, other_client, jti = new_guid(), new_guid(), str(uuid.uuid4())
    assert remember(store, client, jti)
    assert not remember(store, client, jti)
    assert remember(store, other_client, jti)
    assert not remember(store, other_client, jti)
    assert remember(store, client, jti + "-2")


def test_a_replay_inside_one_transaction_leaves_it_usable(store: Store) -> None:
    """A refused duplicate must not abort the transaction (PostgreSQL would), so later writes still commit."""
    client, jti = new_guid(), "jti-" + uuid.uuid4().hex
    with store.transaction() as unit:
        assert unit.remember_assertion(client, jti, LATER, NOW)
        assert not unit.remember_assertion(client, jti, LATER, NOW)
        assert unit.remember_assertion(client, jti + "-next", LATER, NOW)
    assert not remember(store, client, jti + "-next")


def test_a_rolled_back_request_forgets_its_jti(store: Store) -> None:
    """The jti is recorded in the token request's transaction; if issuing fails, the client may retry it."""
    client, jti = new_guid(), uuid.uuid4().hex
    with pytest.raises(RuntimeError), store.transaction() as unit:
        assert unit.remember_assertion(client, jti, LATER, NOW)
        raise RuntimeError("signing failed")
    assert remember(store, client, jti)


def test_long_jtis_are_stored_by_hash(store: Store) -> None:
    """Any jti length fits (the column holds its SHA-256), and near-identical long jtis stay distinct."""
    client, jti = new_guid(), "x" * 10_000
    assert remember(store, client, jti)
    assert remember(store, client, jti[:-1] + "y")
    assert not remember(store, client, jti)


def test_purging_drops_expired_entries_only(store: Store) -> None:
    """The periodic purge (one insert in 64) removes entries past `expires_at` and keeps live ones."""
    client = new_guid()
    remember(store, client, "expired", expires_at=NOW)
    remember(store, client, "live", expires_at=NOW + timedelta(days=2))
    for i in range(64):
        remember(store, client, f"filler-{i}", expires_at=NOW + timedelta(days=2), now=NOW + timedelta(days=1))
    assert not remember(store, client, "live", now=NOW + timedelta(days=1))
    assert remember(store, client, "expired", now=NOW + timedelta(days=1))
