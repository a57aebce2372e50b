"""`SigningKeyRepository` contract: instance-wide keys with their publish/sign/retire schedule."""

from __future__ import annotations

from datetime import timedelta

from tenantry.common.clock import as_utc
from tenantry.store.unit_of_work import Store
from tenantry.tokens.models import StoredSigningKey

from .conftest import NOW, signing_key_record


def listed(store: Store, *keys: StoredSigningKey) -> list[StoredSigningKey]:
    """The stored versions of `keys`, in the order `list_signing_keys` returns them."""
    kids = {k.kid for k in keys}
    with store.transaction() as unit:
        return [k for k in unit.list_signing_keys() if k.kid in kids]


def same_instants(key: StoredSigningKey) -> tuple[object, ...]:
    """The key's fields with times compared as instants (how the KeyManager reads them)."""
    retires = as_utc(key.retires_at) if key.retires_at else None
    return (key.kid, key.sealed_private_key, key.cert_der, as_utc(key.created_at), as_utc(key.activates_at), retires)


def test_added_keys_list_back_oldest_first_with_their_bytes(store: Store) -> None:
    """Sealed private key and certificate come back byte for byte; order is by creation time."""
    newer = signing_key_record(NOW + timedelta(days=1), NOW + timedelta(days=2))
    older = signing_key_record(NOW)
    with store.transaction() as unit:
        unit.add_signing_key(newer)
        unit.add_signing_key(older)
    keys = listed(store, newer, older)
    assert [same_instants(k) for k in keys] == [same_instants(older), same_instants(newer)]
    assert all(type(k.sealed_private_key) is bytes and type(k.cert_der) is bytes for k in keys)
    assert keys[1].retires_at is None


def test_retire_sets_the_retirement_time_of_that_key_only(store: Store) -> None:
    """`retire_signing_key` schedules one key's end; the others keep theirs; retiring again moves it."""
    target, bystander = signing_key_record(NOW), signing_key_record(NOW)
    with store.transaction() as unit:
        unit.add_signing_key(target)
        unit.add_signing_key(bystander)
        unit.retire_signing_key(target.kid, NOW + timedelta(hours=1))
    with store.transaction() as unit:
        unit.retire_signing_key(target.kid, NOW + timedelta(hours=2))
        unit.retire_signing_key("no-such-kid", NOW)
    stored = {k.kid: k for k in listed(store, target, bystander)}
    retires_at = stored[target.kid].retires_at
    assert retires_at is not None
    assert as_utc(retires_at) == NOW + timedelta(hours=2)
    assert stored[bystander.kid].retires_at is None


def test_signing_key_times_come_back_timezone_aware(store: Store) -> None:
    """Like every other repository, the signing-key store returns aware UTC datetimes on every backend."""
    key = signing_key_record(NOW, NOW + timedelta(days=1))
    with store.transaction() as unit:
        unit.add_signing_key(key)
        unit.retire_signing_key(key.kid, NOW + timedelta(days=2))
    (stored,) = listed(store, key)
    assert stored.created_at == key.created_at
    assert stored.activates_at == key.activates_at
    assert stored.retires_at == NOW + timedelta(days=2)
    assert stored.can_sign(NOW + timedelta(days=1))
