"""`SeamlessSsoRepository` and `SeamlessSsoService` on both backends: keys sealed at rest, rollover keeping the
previous key version, an older version refused, status without key bytes, disable per realm, tenant
isolation, and the on-premises principal → user mapping (UPN first, then sAMAccountName)."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.clock import FixedClock
from tenantry.common.ids import new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import Tenant, User
from tenantry.sso.keytab import KeytabEntry, write_keytab
from tenantry.sso.service import SeamlessSsoError, SeamlessSsoService, open_keys
from tenantry.store.unit_of_work import Store

from .conftest import tenant_record

REALM = "CORP.EXAMPLE"
AES256, AES128 = 18, 17


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction(write=True) as unit:
        unit.add_tenant(tenant)
    return tenant


@pytest.fixture
def key() -> MasterKey:
    """The master key the service seals with."""
    return MasterKey(secrets.token_bytes(32))


@pytest.fixture
def sso(store: Store, clock: FixedClock, key: MasterKey) -> SeamlessSsoService:
    """The service over the store under test."""
    return SeamlessSsoService(store.transaction, clock, key)


def _ctx(clock: FixedClock) -> AuditContext:
    return AuditContext(Actor("system", "tests", "tests"), clock.now())


def keytab(kvno: int, realm: str = REALM, principal: str = "HTTP/sso.contoso.example") -> tuple[bytes, list[bytes]]:
    """A keytab with an AES-256 and an AES-128 key of `kvno`, and a host key that is not ours; and the keys."""
    keys = [secrets.token_bytes(32), secrets.token_bytes(16)]
    entries = [
        KeytabEntry(realm, principal, kvno, AES256, keys[0], 1),
        KeytabEntry(realm, principal, kvno, AES128, keys[1], 1),
        KeytabEntry(realm, "host/sso.contoso.example", kvno, AES256, secrets.token_bytes(32), 1),
    ]
    return write_keytab(entries), keys


def test_keys_are_sealed_and_reopen(
    store: Store, sso: SeamlessSsoService, tenant: Tenant, key: MasterKey, clock: FixedClock
) -> None:
    """Only the realm's HTTP keys are kept, sealed (the stored bytes are not the key); they open again."""
    data, keys = keytab(3)
    status = sso.enable(tenant.id, REALM, data, _ctx(clock))
    assert status.kvnos == (3,) and status.enctypes == (AES128, AES256)
    assert status.principals == ("HTTP/sso.contoso.example",)
    with store.transaction() as unit:
        stored = unit.list_sso_keys(tenant.id)
    assert len(stored) == 2 and not {s.sealed_key for s in stored} & set(keys)
    assert sorted(e.key for e in open_keys(stored, key)) == sorted(keys)


def test_rollover_keeps_the_previous_version_only(
    store: Store, sso: SeamlessSsoService, tenant: Tenant, clock: FixedClock
) -> None:
    """kvno 2, then 3 (2 stays for overlap), then 4 (2 goes); re-importing 4 replaces it; 3 is refused."""
    for kvno in (2, 3):
        sso.enable(tenant.id, REALM, keytab(kvno)[0], _ctx(clock))
    assert sso.status(tenant.id)[0].kvnos == (3, 2)
    sso.enable(tenant.id, REALM, keytab(4)[0], _ctx(clock))
    sso.enable(tenant.id, REALM, keytab(4)[0], _ctx(clock))
    assert sso.status(tenant.id)[0].kvnos == (4, 3)
    with pytest.raises(SeamlessSsoError, match="newer key version"):
        sso.enable(tenant.id, REALM, keytab(3)[0], _ctx(clock))


def test_status_ages_and_warns_after_thirty_days(sso: SeamlessSsoService, tenant: Tenant, clock: FixedClock) -> None:
    """The newest key's age in days; a rollover is due past 30."""
    sso.enable(tenant.id, REALM, keytab(2)[0], _ctx(clock))
    clock.advance(30 * 86400)
    assert not sso.status(tenant.id)[0].needs_rollover
    clock.advance(86400)
    status = sso.status(tenant.id)[0]
    assert status.age_days == 31 and status.needs_rollover


def test_a_keytab_without_the_realms_http_key_is_refused(
    sso: SeamlessSsoService, tenant: Tenant, clock: FixedClock
) -> None:
    """Another realm's keys, or only host keys, enable nothing."""
    with pytest.raises(SeamlessSsoError, match=r"no HTTP/<host>@OTHER\.EXAMPLE key"):
        sso.enable(tenant.id, "OTHER.EXAMPLE", keytab(2)[0], _ctx(clock))
    assert sso.status(tenant.id) == []


def test_disable_one_realm_or_all_and_isolation(
    store: Store, sso: SeamlessSsoService, tenant: Tenant, clock: FixedClock
) -> None:
    """Realms are independent; another tenant sees none of them."""
    other = tenant_record()
    with store.transaction(write=True) as unit:
        unit.add_tenant(other)
    sso.enable(tenant.id, REALM, keytab(2)[0], _ctx(clock))
    sso.enable(tenant.id, "EU.CORP.EXAMPLE", keytab(5, "EU.CORP.EXAMPLE")[0], _ctx(clock))
    assert sso.status(other.id) == [] and sso.disable(other.id, None, _ctx(clock)) == 0
    assert sso.disable(tenant.id, REALM, _ctx(clock)) == 2
    assert [s.realm for s in sso.status(tenant.id)] == ["EU.CORP.EXAMPLE"]
    assert sso.disable(tenant.id, None, _ctx(clock)) == 2
    assert sso.status(tenant.id) == []


def test_principal_maps_by_on_premises_upn_then_sam(store: Store, tenant: Tenant, clock: FixedClock) -> None:
    """Case-insensitive, inside the tenant only."""
    domain = tenant.domains[0]
    alice = User(new_guid(), tenant.id, f"alice@{domain}", "Alice", clock.now())
    alice = replace(alice, on_premises_user_principal_name="Alice@CORP.EXAMPLE")
    bob = replace(User(new_guid(), tenant.id, f"bob@{domain}", "Bob", clock.now()), on_premises_sam_account_name="BOB")
    other = tenant_record()
    with store.transaction(write=True) as unit:
        unit.add_tenant(other)
        unit.add_user(alice)
        unit.add_user(bob)
    with store.transaction() as unit:
        assert unit.find_user_by_kerberos_principal(tenant.id, "alice@corp.example") == alice
        assert unit.find_user_by_kerberos_principal(tenant.id, "bob@CORP.EXAMPLE") == bob
        assert unit.find_user_by_kerberos_principal(tenant.id, "carol@CORP.EXAMPLE") is None
        assert unit.find_user_by_kerberos_principal(other.id, "alice@CORP.EXAMPLE") is None
