"""`RoleAssignmentRepository` contract: directory role assignments of a tenant, unique per principal and role."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.directory.repository import RoleAssignmentExistsError
from tenantry.directory.roles import BUILT_IN_ROLES, RoleAssignment
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record

GLOBAL_ADMIN, APP_ADMIN = BUILT_IN_ROLES[0].id, BUILT_IN_ROLES[1].id


def assignment(tenant: Tenant, principal_id: str, role_id: str, seconds: int = 0) -> RoleAssignment:
    """An assignment created `seconds` after NOW."""
    return RoleAssignment(new_guid(), tenant.id, principal_id, role_id, NOW + timedelta(seconds=seconds))


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


def test_assignments_round_trip_oldest_first(store: Store, tenant: Tenant) -> None:
    """Added assignments list back equal, ordered by creation, with aware UTC times (given at another offset)."""
    user, sp = new_guid(), new_guid()
    newer = assignment(tenant, sp, APP_ADMIN, seconds=5)
    older = assignment(tenant, user, GLOBAL_ADMIN)
    with store.transaction() as unit:
        unit.add_role_assignment(newer)
        unit.add_role_assignment(replace(older, created_at=older.created_at.astimezone(timezone(timedelta(hours=-8)))))
    with store.transaction() as unit:
        listed = unit.list_role_assignments(tenant.id)
    assert listed == [older, newer]
    assert all(a.created_at.tzinfo is UTC and a.directory_scope_id == "/" for a in listed)


def test_listing_filters_by_principal(store: Store, tenant: Tenant) -> None:
    """With `principal_id`, only that principal's assignments are listed; an unknown principal has none."""
    user, other = new_guid(), new_guid()
    mine = [assignment(tenant, user, GLOBAL_ADMIN), assignment(tenant, user, APP_ADMIN, seconds=1)]
    theirs = assignment(tenant, other, GLOBAL_ADMIN)
    with store.transaction() as unit:
        for a in (*mine, theirs):
            unit.add_role_assignment(a)
    with store.transaction() as unit:
        assert unit.list_role_assignments(tenant.id, user) == mine
        assert unit.list_role_assignments(tenant.id, other) == [theirs]
        assert unit.list_role_assignments(tenant.id, new_guid()) == []


def test_the_same_principal_and_role_twice_is_refused_and_the_transaction_goes_on(store: Store, tenant: Tenant) -> None:
    """A second assignment of one role to one principal raises `RoleAssignmentExistsError`; the caller's
    transaction stays usable (the failed insert is undone alone) and what it wrote before and after commits."""
    user = new_guid()
    first = assignment(tenant, user, GLOBAL_ADMIN)
    later = assignment(tenant, user, APP_ADMIN, seconds=1)
    with store.transaction() as unit:
        unit.add_role_assignment(first)
        with pytest.raises(RoleAssignmentExistsError):
            unit.add_role_assignment(assignment(tenant, user, GLOBAL_ADMIN, seconds=2))
        unit.add_role_assignment(later)
    with store.transaction() as unit:
        assert unit.list_role_assignments(tenant.id, user) == [first, later]


def test_an_unknown_tenant_is_an_integrity_error_not_a_duplicate(store: Store) -> None:
    """Only a real duplicate becomes `RoleAssignmentExistsError`; a missing tenant (foreign key) still raises."""
    orphan = RoleAssignment(new_guid(), new_guid(), new_guid(), GLOBAL_ADMIN, NOW)
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_role_assignment(orphan)


def test_remove_reports_whether_it_deleted(store: Store, tenant: Tenant) -> None:
    """`remove_role_assignment` returns True once, then False; the other assignments stay."""
    user = new_guid()
    gone, kept = assignment(tenant, user, GLOBAL_ADMIN), assignment(tenant, user, APP_ADMIN, seconds=1)
    with store.transaction() as unit:
        unit.add_role_assignment(gone)
        unit.add_role_assignment(kept)
    with store.transaction() as unit:
        assert unit.remove_role_assignment(tenant.id, gone.id)
    with store.transaction() as unit:
        assert not unit.remove_role_assignment(tenant.id, gone.id)
        assert not unit.remove_role_assignment(tenant.id, new_guid())
        assert unit.list_role_assignments(tenant.id) == [kept]
    with store.transaction() as unit:
        unit.add_role_assignment(gone)  # removed, so the role can be assigned again
        assert unit.list_role_assignments(tenant.id, user) == [gone, kept]


def test_tenants_are_isolated(store: Store, tenant: Tenant) -> None:
    """Another tenant neither sees nor removes these assignments, and may assign the same principal and role."""
    other = tenant_record()
    user = new_guid()
    mine, theirs = assignment(tenant, user, GLOBAL_ADMIN), assignment(other, user, GLOBAL_ADMIN)
    with store.transaction() as unit:
        unit.add_tenant(other)
        unit.add_role_assignment(mine)
        unit.add_role_assignment(theirs)
    with store.transaction() as unit:
        assert not unit.remove_role_assignment(other.id, mine.id)
        assert unit.list_role_assignments(other.id) == [theirs]
        assert unit.list_role_assignments(other.id, user) == [theirs]
        assert unit.list_role_assignments(tenant.id) == [mine]
