"""`AuthMethodRepository` contract on both backends: round-trip of TOTP and TAP methods (sealed secret and
pass hash as bytes, times to the microsecond), per-user listing, delete, and the compare-and-set uses: a
TOTP step only forwards, a once-only pass only once."""

from __future__ import annotations

from datetime import timedelta

from tenantry.common.ids import new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import Tenant, User
from tenantry.sessions.mfa import AuthMethod, MethodType, hash_pass, open_secret, seal_secret
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record


def _seed(store: Store) -> tuple[Tenant, User, User]:
    tenant = tenant_record()
    ada = User(new_guid(), tenant.id, f"ada@{tenant.domains[0]}", "Ada", NOW, password_hash="x")
    bob = User(new_guid(), tenant.id, f"bob@{tenant.domains[0]}", "Bob", NOW, password_hash="x")
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_user(ada)
        unit.add_user(bob)
    return tenant, ada, bob


def _totp(user: User, key: MasterKey) -> AuthMethod:
    return AuthMethod(
        new_guid(),
        user.tenant_id,
        user.id,
        MethodType.SOFTWARE_OATH,
        "Authenticator app",
        NOW,
        sealed_secret=seal_secret(key, "JBSWY3DPEHPK3PXP"),
    )


def _tap(user: User, *, once: bool) -> AuthMethod:
    return AuthMethod(
        new_guid(),
        user.tenant_id,
        user.id,
        MethodType.TEMPORARY_ACCESS_PASS,
        "Temporary Access Pass",
        NOW + timedelta(seconds=1),
        pass_hash=hash_pass("pass"),
        start=NOW,
        lifetime_minutes=60,
        usable_once=once,
    )


def test_round_trip_listing_and_delete(store: Store) -> None:
    """What is stored comes back equal, oldest first, for its user only; delete removes one."""
    _, ada, bob = _seed(store)
    key = MasterKey(b"k" * 32)
    totp, tap = _totp(ada, key), _tap(ada, once=True)
    with store.transaction() as unit:
        unit.add_auth_method(tap)
        unit.add_auth_method(totp)
    with store.transaction() as unit:
        assert unit.list_auth_methods(ada.tenant_id, ada.id) == [totp, tap]
        assert unit.list_auth_methods(bob.tenant_id, bob.id) == []
        assert unit.find_auth_method(ada.tenant_id, ada.id, tap.id) == tap
        assert unit.find_auth_method(bob.tenant_id, bob.id, tap.id) is None
    assert totp.sealed_secret is not None and open_secret(key, totp.sealed_secret) == "JBSWY3DPEHPK3PXP"
    with store.transaction() as unit:
        assert not unit.delete_auth_method(bob.tenant_id, bob.id, tap.id)
        assert unit.delete_auth_method(ada.tenant_id, ada.id, tap.id)
        assert unit.list_auth_methods(ada.tenant_id, ada.id) == [totp]


def test_uses_are_compare_and_set(store: Store) -> None:
    """A TOTP step must grow; a once-only pass is used once, a reusable one many times."""
    _, ada, _ = _seed(store)
    totp, once, many = _totp(ada, MasterKey(b"k" * 32)), _tap(ada, once=True), _tap(ada, once=False)
    with store.transaction() as unit:
        for method in (totp, once, many):
            unit.add_auth_method(method)
    with store.transaction() as unit:
        assert unit.use_auth_method(totp, step=100)
        assert not unit.use_auth_method(totp, step=100)
        assert not unit.use_auth_method(totp, step=99)
        assert unit.use_auth_method(totp, step=101)
        assert unit.use_auth_method(once, used_at=NOW)
        assert not unit.use_auth_method(once, used_at=NOW)
        assert unit.use_auth_method(many, used_at=NOW) and unit.use_auth_method(many, used_at=NOW)
    with store.transaction() as unit:
        stored = {m.id: m for m in unit.list_auth_methods(ada.tenant_id, ada.id)}
    assert stored[totp.id].last_used_step == 101
    assert stored[once.id].used_at == NOW and not stored[once.id].tap_usable(NOW)
    assert stored[many.id].tap_usable(NOW)


def test_per_user_mfa_state_round_trips(store: Store) -> None:
    """No row is `disabled`; saved states replace each other; `disabled` removes the row; per user."""
    _, ada, bob = _seed(store)
    with store.transaction() as unit:
        assert unit.find_mfa_state(ada.tenant_id, ada.id) == "disabled"
        unit.save_mfa_state(ada.tenant_id, ada.id, "enabled")
        unit.save_mfa_state(ada.tenant_id, ada.id, "enforced")
    with store.transaction() as unit:
        assert unit.find_mfa_state(ada.tenant_id, ada.id) == "enforced"
        assert unit.find_mfa_state(bob.tenant_id, bob.id) == "disabled"
        unit.save_mfa_state(ada.tenant_id, ada.id, "disabled")
        assert unit.find_mfa_state(ada.tenant_id, ada.id) == "disabled"
