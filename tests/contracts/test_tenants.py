"""`TenantRepository` contract: tenants are the one global collection, found by GUID or verified domain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.directory.service import DomainTakenError
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record, unique_domain


def test_an_added_tenant_is_found_by_id_with_its_domains_in_order(store: Store) -> None:
    """What `add_tenant` stores comes back whole: id, display name, domains in their order, created_at."""
    tenant = tenant_record(NOW, unique_domain(), unique_domain(), unique_domain())
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    with store.transaction() as unit:
        found = unit.find_tenant(tenant.id)
    assert found == tenant
    assert found is not None
    assert found.initial_domain == tenant.domains[0]
    assert found.created_at.utcoffset() == timedelta(0)


def test_find_tenant_by_domain_ignores_case(store: Store) -> None:
    """The `{tenant}` path segment may carry a domain in any case; domains are stored lower-case."""
    tenant = tenant_record(NOW, unique_domain(), unique_domain())
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    with store.transaction() as unit:
        assert unit.find_tenant_by_domain(tenant.domains[0]) == tenant
        assert unit.find_tenant_by_domain(tenant.domains[1].upper()) == tenant
        assert unit.find_tenant_by_domain(tenant.domains[1].title()) == tenant


def test_unknown_tenants_are_none(store: Store) -> None:
    """`find_*` returns None, never raises, for an unknown GUID or domain."""
    with store.transaction() as unit:
        assert unit.find_tenant("00000000-0000-0000-0000-000000000000") is None
        assert unit.find_tenant_by_domain(unique_domain()) is None


def test_list_tenants_is_oldest_first_with_domains(store: Store) -> None:
    """`list_tenants` orders by creation time, whatever the insertion order, and carries each tenant's domains."""
    newest = tenant_record(NOW + timedelta(hours=2))
    oldest = tenant_record(NOW, unique_domain(), unique_domain())
    middle = tenant_record(NOW + timedelta(hours=1))
    with store.transaction() as unit:
        for tenant in (newest, oldest, middle):
            unit.add_tenant(tenant)
    with store.transaction() as unit:
        ours = {oldest.id, middle.id, newest.id}
        listed = [t for t in unit.list_tenants() if t.id in ours]
    assert listed == [oldest, middle, newest]


def test_a_domain_belongs_to_one_tenant_only(store: Store) -> None:
    """The store refuses a second tenant claiming a taken domain, and keeps nothing of it."""
    first = tenant_record()
    second = tenant_record(NOW, unique_domain(), first.domains[0])
    with store.transaction() as unit:
        unit.add_tenant(first)
    with pytest.raises(Exception), store.transaction() as unit:  # noqa: B017 - any refusal will do here
        unit.add_tenant(second)
    with store.transaction() as unit:
        assert unit.find_tenant(second.id) is None
        assert unit.find_tenant_by_domain(second.domains[0]) is None
        assert unit.find_tenant_by_domain(first.domains[0]) == first


def test_a_taken_domain_raises_domain_taken_error(store: Store) -> None:
    """The Protocol's own words: "a domain already taken raises `DomainTakenError`"."""
    first = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(first)
    with pytest.raises(DomainTakenError), store.transaction() as unit:
        unit.add_tenant(tenant_record(NOW, first.domains[0]))
