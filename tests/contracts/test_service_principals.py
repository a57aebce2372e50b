"""`ServicePrincipalRepository` and `AssignmentRepository` contract: an app's instance per tenant, its grants."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, sp_record, tenant_record


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


@pytest.fixture
def app(store: Store, tenant: Tenant) -> Application:
    """An app registered in `tenant`."""
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
    return app


def add_sp(store: Store, app: Application, tenant_id: str | None = None) -> ServicePrincipal:
    """Store and return the app's service principal in `tenant_id`."""
    sp = sp_record(app, tenant_id)
    with store.transaction() as unit:
        unit.add_service_principal(sp)
    return sp


def new_sp(store: Store, tenant: Tenant) -> ServicePrincipal:
    """Register a new app in `tenant` and store its service principal."""
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
    return add_sp(store, app)


def grant(tenant_id: str, principal_id: str, resource_id: str, role_id: str) -> AppRoleAssignment:
    """A new assignment record (fresh id) of `role_id` on `resource_id` to `principal_id`."""
    return AppRoleAssignment(new_guid(), tenant_id, principal_id, "ServicePrincipal", resource_id, role_id, NOW)


def test_an_added_service_principal_is_found_by_tenant_and_app_id(store: Store, app: Application) -> None:
    """`find_service_principal_by_app_id` returns the stored SP, defaults included."""
    sp = add_sp(store, app)
    with store.transaction() as unit:
        found = unit.find_service_principal_by_app_id(app.tenant_id, app.app_id)
    assert found == sp
    assert found is not None
    assert found.account_enabled
    assert not found.app_role_assignment_required


def test_unknown_service_principals_are_none(store: Store, app: Application) -> None:
    """No SP for an app without one, nor for an unknown appId."""
    with store.transaction() as unit:
        assert unit.find_service_principal_by_app_id(app.tenant_id, app.app_id) is None
        assert unit.find_service_principal_by_app_id(app.tenant_id, new_guid()) is None


def test_update_stores_both_flags(store: Store, app: Application) -> None:
    """accountEnabled and appRoleAssignmentRequired change independently and persist."""
    sp = add_sp(store, app)
    for enabled, required in ((False, True), (True, True), (False, False), (True, False)):
        updated = replace(sp, account_enabled=enabled, app_role_assignment_required=required)
        with store.transaction() as unit:
            unit.update_service_principal(updated)
        with store.transaction() as unit:
            assert unit.find_service_principal_by_app_id(app.tenant_id, app.app_id) == updated


def test_one_service_principal_per_app_per_tenant(store: Store, app: Application) -> None:
    """A second SP for the same app in the same tenant is refused."""
    add_sp(store, app)
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_service_principal(sp_record(app))


def test_the_same_app_may_have_a_service_principal_in_another_tenant(store: Store, app: Application) -> None:
    """Multi-tenant apps get one instance per tenant; each tenant sees only its own."""
    other = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(other)
    home, guest = add_sp(store, app), add_sp(store, app, other.id)
    with store.transaction() as unit:
        assert unit.find_service_principal_by_app_id(app.tenant_id, app.app_id) == home
        assert unit.find_service_principal_by_app_id(other.id, app.app_id) == guest


def test_assignments_are_listed_per_principal_and_resource(store: Store, tenant: Tenant) -> None:
    """`list_assignments` returns exactly the principal's grants on that resource."""
    client, other_client, api, other_api = (new_sp(store, tenant) for _ in range(4))
    role_a, role_b = new_guid(), new_guid()
    wanted = [grant(tenant.id, client.id, api.id, role_a), grant(tenant.id, client.id, api.id, role_b)]
    noise = [grant(tenant.id, other_client.id, api.id, role_a), grant(tenant.id, client.id, other_api.id, role_a)]
    with store.transaction() as unit:
        for assignment in (*wanted, *noise):
            unit.add_assignment(assignment)
    with store.transaction() as unit:
        listed = unit.list_assignments(tenant.id, client.id, api.id)
    assert sorted(listed, key=lambda a: a.id) == sorted(wanted, key=lambda a: a.id)
    assert all(a.created_at == NOW for a in listed)


def test_adding_the_same_grant_twice_is_a_no_op(store: Store, tenant: Tenant) -> None:
    """Same principal, resource and role again (even with a new id) keeps the first row, in one transaction or two."""
    client, api = new_sp(store, tenant), new_sp(store, tenant)
    role = new_guid()
    first = grant(tenant.id, client.id, api.id, role)
    with store.transaction() as unit:
        unit.add_assignment(first)
        unit.add_assignment(grant(tenant.id, client.id, api.id, role))
    with store.transaction() as unit:
        unit.add_assignment(grant(tenant.id, client.id, api.id, role))
    with store.transaction() as unit:
        assert unit.list_assignments(tenant.id, client.id, api.id) == [first]
