"""Device codes in storage (RFC 8628): round trip, and the compare-and-set that makes approval and
redemption happen once however many requests race for them, on every backend."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import timedelta

from tenantry.store.unit_of_work import Store
from tenantry.tokens.models import DeviceCode

from .conftest import NOW


def device_code(**changes: object) -> DeviceCode:
    """A pending code with a fresh hash and user code."""
    code = DeviceCode(
        device_code_hash=hashlib.sha256(uuid.uuid4().bytes).digest(),
        user_code=uuid.uuid4().hex[:9].upper(),
        tenant_segment="contoso.example",
        client_id=str(uuid.uuid4()),
        scopes=("openid", "User.Read"),
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
        interval=5,
    )
    return replace(code, **changes)  # type: ignore[arg-type]


def stored(store: Store, code: DeviceCode) -> DeviceCode | None:
    """The code as read back."""
    with store.transaction() as unit:
        return unit.find_device_code(code.device_code_hash)


def test_a_device_code_round_trips(store: Store) -> None:
    """Every field comes back as written, found by hash and by user code."""
    code = device_code()
    with store.transaction(write=True) as unit:
        unit.add_device_code(code)
        assert unit.find_device_code_by_user_code(code.user_code.lower()) == code
    assert stored(store, code) == code


def test_approval_then_redemption_each_happen_once(store: Store) -> None:
    """pending → approved succeeds once; approved → redeemed succeeds once; a stale writer changes nothing."""
    code = device_code()
    with store.transaction(write=True) as unit:
        unit.add_device_code(code)
    approved = replace(code, status="approved", tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()), auth_time=NOW)
    with store.transaction(write=True) as unit:
        assert unit.update_device_code_if(approved, expected_status="pending") is True
    with store.transaction(write=True) as unit:
        assert unit.update_device_code_if(replace(code, status="declined"), expected_status="pending") is False
    redeemed = replace(approved, status="redeemed", last_polled_at=NOW + timedelta(seconds=6))
    with store.transaction(write=True) as unit:
        assert unit.update_device_code_if(redeemed, expected_status="approved") is True
    with store.transaction(write=True) as unit:
        assert unit.update_device_code_if(redeemed, expected_status="approved") is False
    assert stored(store, code) == redeemed
