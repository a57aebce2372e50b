"""`KeyManager` over real storage: rotation publishes first, signs later, and retires the old key last.

KeyManager caches the keys for 30 s of *monotonic* time, which a FixedClock cannot move, so each
observation uses a freshly constructed manager (it loads from the store on first use).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import delete

from tenantry.common.clock import FixedClock
from tenantry.common.ids import b64url
from tenantry.common.master_key import MasterKey
from tenantry.store.tables import signing_keys
from tenantry.store.unit_of_work import Store
from tenantry.tokens.keys import KeyManager

from .conftest import NOW

ACTIVATION_DELAY = timedelta(days=1)
RETIRE_AFTER = timedelta(seconds=5400 + 300)
MASTER_KEY = MasterKey(b"key-rotation-tests-master-secret-0123456789")


@pytest.fixture
def key_store(store: Store) -> Store:
    """The module's store with no signing keys (they are instance-wide, so tests would see each other's)."""
    with store.engine.begin() as connection:
        connection.execute(delete(signing_keys))
    return store


def manager(store: Store, clock: FixedClock) -> KeyManager:
    """A KeyManager with an empty cache, configured as `build_services` does by default."""
    return KeyManager(
        store.transaction, MASTER_KEY, clock, activation_delay=ACTIVATION_DELAY, retire_after=RETIRE_AFTER
    )


def published_kids(store: Store, clock: FixedClock) -> list[str]:
    """The kids a fresh manager publishes in JWKS now."""
    return [k.kid for k in manager(store, clock).published()]


def signing_kid(store: Store, clock: FixedClock) -> str:
    """The kid a fresh manager signs with now; its private key must unseal."""
    signer = manager(store, clock).signer()
    assert signer.private_key is not None
    return signer.kid


def test_the_first_key_signs_at_once_and_is_created_only_once(key_store: Store, clock: FixedClock) -> None:
    """`ensure_signing_key` on an empty store creates a key that signs now; repeating it adds nothing."""
    manager(key_store, clock).ensure_signing_key()
    manager(key_store, clock).ensure_signing_key()
    (stored,) = manager(key_store, clock).list_keys()
    assert stored.activates_at == stored.created_at == NOW
    assert stored.retires_at is None
    assert stored.kid == b64url(hashlib.sha1(stored.cert_der, usedforsecurity=False).digest())
    assert signing_kid(key_store, clock) == stored.kid
    assert published_kids(key_store, clock) == [stored.kid]


def test_rotation_publishes_first_signs_after_the_delay_and_retires_the_old_key_last(
    key_store: Store, clock: FixedClock
) -> None:
    """New key: in JWKS at once, signing from activation. Old key: signing until then, published until retired."""
    rotating = manager(key_store, clock)
    rotating.ensure_signing_key()
    old = signing_kid(key_store, clock)
    new = rotating.rotate()
    assert [k.kid for k in rotating.published()] == [old, new.kid], "the rotating manager publishes the new key at once"
    assert rotating.signer().kid == old

    clock.advance(ACTIVATION_DELAY.total_seconds() - 1)
    assert (signing_kid(key_store, clock), published_kids(key_store, clock)) == (old, [old, new.kid])

    clock.advance(1)
    assert (signing_kid(key_store, clock), published_kids(key_store, clock)) == (new.kid, [old, new.kid])

    clock.advance(RETIRE_AFTER.total_seconds() - 1)
    assert published_kids(key_store, clock) == [old, new.kid], "tokens the old key signed are still verifiable"

    clock.advance(1)
    assert (signing_kid(key_store, clock), published_kids(key_store, clock)) == (new.kid, [new.kid])


def test_the_schedule_is_stored(key_store: Store, clock: FixedClock) -> None:
    """`list_keys` shows the rotation plan: the old key retires `retire_after` past the new key's activation."""
    rotating = manager(key_store, clock)
    rotating.ensure_signing_key()
    clock.advance(60)
    new = rotating.rotate()
    old, stored_new = manager(key_store, clock).list_keys()
    assert stored_new.kid == new.kid
    assert (stored_new.created_at, stored_new.activates_at, stored_new.retires_at) == (
        NOW + timedelta(seconds=60),
        NOW + timedelta(seconds=60) + ACTIVATION_DELAY,
        None,
    )
    assert old.retires_at == stored_new.activates_at + RETIRE_AFTER
