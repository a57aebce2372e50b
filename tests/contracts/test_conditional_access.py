"""`ConditionalAccessRepository` contract on both backends: policies and named locations round-trip
(conditions and grant controls as documents, times to the microsecond, unicode names), oldest first,
update replaces, delete answers whether there was one, and every read stays inside its tenant. The cached
reader (`Store.reader()`) serves the lists and sees a change at the next unit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tenantry.common.clock import FixedClock
from tenantry.common.ids import new_guid
from tenantry.conditional_access.models import (
    ALL,
    ALL_TRUSTED,
    ApplicationCondition,
    ClientAppType,
    ConditionalAccessPolicy,
    Conditions,
    GrantControl,
    GrantControls,
    LocationCondition,
    LocationKind,
    NamedLocation,
    PolicyState,
    UserCondition,
)
from tenantry.conditional_access.service import (
    ConditionalAccessError,
    ConditionalAccessService,
    LocationDraft,
    LocationInUseError,
    PolicyDraft,
    sign_in_inputs,
)
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record


@pytest.fixture
def tenants(store: Store) -> tuple[Tenant, Tenant]:
    """Two tenants of the test's own."""
    made = (tenant_record(), tenant_record())
    with store.transaction() as unit:
        for tenant in made:
            unit.add_tenant(tenant)
    return made


def policy_record(tenant_id: str, *, seconds: int = 0, location_id: str | None = None) -> ConditionalAccessPolicy:
    """A policy setting every condition, created `seconds` after NOW."""
    where = LocationCondition((location_id or ALL,), (ALL_TRUSTED,))
    return ConditionalAccessPolicy(
        id=new_guid(),
        tenant_id=tenant_id,
        display_name="Require MFA — Ünïcode ✓",
        state=PolicyState.REPORT_ONLY,
        conditions=Conditions(
            users=UserCondition((ALL,), (new_guid(),), (new_guid(),), (), ("62e90394-69f5-4237-9190-012177145e10",)),
            applications=ApplicationCondition((new_guid(),), (new_guid(),)),
            client_app_types=(ClientAppType.BROWSER, ClientAppType.MODERN),
            locations=where,
        ),
        grant_controls=GrantControls("AND", (GrantControl.MFA, GrantControl.PASSWORD_CHANGE)),
        created_at=NOW + timedelta(seconds=seconds),
    )


def location_record(tenant_id: str, *, seconds: int = 0, country: bool = False) -> NamedLocation:
    """An IP location (IPv4 and IPv6, trusted) or a country location."""
    when = NOW + timedelta(seconds=seconds)
    if country:
        return NamedLocation(new_guid(), tenant_id, "Nordics", LocationKind.COUNTRY, when, countries=("NO", "SE"))
    ranges = ("203.0.113.0/24", "2001:db8::/32")
    return NamedLocation(
        new_guid(), tenant_id, "Head office ✓", LocationKind.IP, when, ip_ranges=ranges, is_trusted=True
    )


def test_policies_round_trip_oldest_first(store: Store, tenants: tuple[Tenant, Tenant]) -> None:
    """Stored equal to what was given; listed by creation time; the other tenant sees none of them."""
    mine, other = tenants
    later, earlier = policy_record(mine.id, seconds=5), policy_record(mine.id)
    bare = replace(
        policy_record(mine.id, seconds=9), conditions=Conditions(UserCondition((ALL,)), ApplicationCondition((ALL,)))
    )
    with store.transaction(write=True) as unit:
        for policy in (later, earlier, bare):
            unit.add_ca_policy(policy)
    with store.transaction() as unit:
        assert unit.list_ca_policies(mine.id) == [earlier, later, bare]
        assert unit.find_ca_policy(mine.id, later.id) == later
        assert unit.find_ca_policy(other.id, later.id) is None
        assert unit.list_ca_policies(other.id) == []
    assert bare.conditions.locations is None


def test_policy_update_and_delete(store: Store, tenants: tuple[Tenant, Tenant]) -> None:
    """Update replaces the policy (not its creation time); delete is True once, then False; another
    tenant can neither update nor delete it."""
    mine, other = tenants
    policy = policy_record(mine.id)
    with store.transaction(write=True) as unit:
        unit.add_ca_policy(policy)
    changed = replace(
        policy,
        display_name="Block",
        state=PolicyState.ENABLED,
        grant_controls=GrantControls("OR", (GrantControl.BLOCK,)),
        conditions=replace(policy.conditions, locations=None),
        modified_at=NOW + timedelta(hours=1),
    )
    with store.transaction(write=True) as unit:
        unit.update_ca_policy(changed)
        unit.update_ca_policy(replace(changed, tenant_id=other.id, display_name="hijack"))
        assert unit.delete_ca_policy(other.id, policy.id) is False
    with store.transaction(write=True) as unit:
        assert unit.find_ca_policy(mine.id, policy.id) == changed
        assert unit.delete_ca_policy(mine.id, policy.id) is True
        assert unit.delete_ca_policy(mine.id, policy.id) is False


def test_named_locations_round_trip_update_delete(store: Store, tenants: tuple[Tenant, Tenant]) -> None:
    """IP and country locations round-trip, oldest first, per tenant; update replaces; delete once."""
    mine, other = tenants
    office, nordics = location_record(mine.id, seconds=3), location_record(mine.id, country=True)
    with store.transaction(write=True) as unit:
        unit.add_named_location(office)
        unit.add_named_location(nordics)
    with store.transaction() as unit:
        assert unit.list_named_locations(mine.id) == [nordics, office]
        assert unit.find_named_location(mine.id, office.id) == office
        assert unit.find_named_location(other.id, office.id) is None
        assert unit.list_named_locations(other.id) == []
    moved = replace(office, ip_ranges=("198.51.100.7/32",), is_trusted=False, modified_at=NOW + timedelta(days=1))
    untouched = replace(nordics, include_unknown_countries=True, display_name="hijack", tenant_id=other.id)
    with store.transaction(write=True) as unit:
        unit.update_named_location(moved)
        unit.update_named_location(untouched)
        assert unit.delete_named_location(other.id, nordics.id) is False
    with store.transaction(write=True) as unit:
        assert unit.list_named_locations(mine.id) == [nordics, moved]
        assert unit.delete_named_location(mine.id, office.id) is True
        assert unit.delete_named_location(mine.id, office.id) is False


def test_the_cached_reader_serves_the_lists_and_sees_changes(store: Store, tenants: tuple[Tenant, Tenant]) -> None:
    """`Store.reader()` answers the sign-in's two reads; after a write the next reader sees it."""
    mine, _ = tenants
    first = policy_record(mine.id)
    with store.transaction(write=True) as unit:
        unit.add_ca_policy(first)
    with store.reader() as unit:
        assert unit.list_ca_policies(mine.id) == [first]
        assert unit.list_named_locations(mine.id) == []
    with store.reader() as unit:
        listed = unit.list_ca_policies(mine.id)
        listed.clear()  # a fresh list each time: a caller's change never reaches the cache
        assert unit.list_ca_policies(mine.id) == [first]
    location = location_record(mine.id)
    second = policy_record(mine.id, seconds=1, location_id=location.id)
    with store.transaction(write=True) as unit:
        unit.add_named_location(location)
        unit.add_ca_policy(second)
    with store.reader() as unit:
        assert unit.list_ca_policies(mine.id) == [first, second]
        assert unit.list_named_locations(mine.id) == [location]


def test_service_changes_are_checked_audited_and_read_for_sign_in(
    store: Store, tenants: tuple[Tenant, Tenant], clock: FixedClock
) -> None:
    """`ConditionalAccessService` on the backend: a location and a policy using it are created (audited);
    `sign_in_inputs` gives the policies and the locations by id; the location in use cannot go; an update
    merges into the stored policy (modified time set) and a refused one changes nothing."""
    mine, _ = tenants
    service = ConditionalAccessService(store.transaction, clock)
    location = service.create_location(mine.id, LocationDraft("Office", "ipNamedLocation", ("192.0.2.0/24",)))
    draft = PolicyDraft(
        "MFA outside the office",
        "enabled",
        UserCondition((ALL,)),
        ApplicationCondition((ALL,)),
        locations=LocationCondition((ALL,), (location.id,)),
        built_in_controls=("mfa",),
    )
    policy = service.create_policy(mine.id, draft)
    with store.reader() as unit:
        assert sign_in_inputs(unit, mine.id) == ([policy], {location.id: location})
    with pytest.raises(LocationInUseError, match="MFA outside the office"):
        service.delete_location(mine.id, location.id)
    clock.advance(300)
    updated = service.update_policy(mine.id, policy.id, lambda d: replace(d, state="disabled"))
    assert updated is not None and updated.state is PolicyState.DISABLED and updated.modified_at == clock.now()
    with pytest.raises(ConditionalAccessError, match="cannot be combined"):
        service.update_policy(mine.id, policy.id, lambda d: replace(d, built_in_controls=("block", "mfa")))
    assert service.find_policy(mine.id, policy.id) == updated
    assert service.update_policy(mine.id, new_guid(), lambda d: d) is None
    with store.transaction() as unit:
        activities = [r.activity for r in unit.list_audit_records(mine.id)]
    assert sorted(activities) == [
        "Add conditional access policy",
        "Add named location",
        "Update conditional access policy",
    ]
