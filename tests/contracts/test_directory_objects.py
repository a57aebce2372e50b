"""Contracts the Graph API relies on: `ApplicationRemover`, `ServicePrincipalDirectory` and
`AssignmentDirectory` — deleting apps and service principals with what depends on them, finding service
principals by object id within their tenant, and listing the grants on a resource."""

from __future__ import annotations

from datetime import timedelta

from tenantry.apps.models import AppRoleAssignment
from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, password_record, sp_record, tenant_record


def test_deleting_an_application_takes_its_dependents(store: Store) -> None:
    """The app's URIs, secrets and owners go with it; another tenant cannot delete it; twice is False."""
    tenant, other = tenant_record(), tenant_record()
    app = app_record(tenant.id, identifier_uris=(f"api://{new_guid()}",))
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_tenant(other)
        unit.add_application(app)
        unit.add_password_credential(password_record(app))
        unit.add_owner(tenant.id, app.id, new_guid(), "User")
    with store.transaction() as unit:
        assert unit.delete_application(other.id, app.id) is False
        assert unit.delete_application(tenant.id, app.id) is True
        assert unit.delete_application(tenant.id, app.id) is False
    with store.transaction() as unit:
        assert unit.find_application(app.id) is None
        assert unit.find_application_by_identifier_uri(tenant.id, app.identifier_uris[0]) is None
        assert unit.list_password_credentials(tenant.id, app.id) == []
        assert unit.list_owners(tenant.id, app.id) == []


def test_service_principals_by_object_id_and_tenant(store: Store) -> None:
    """Found by id only in their own tenant; listed oldest first; deleted once."""
    tenant, other = tenant_record(), tenant_record()
    first, second = app_record(tenant.id), app_record(tenant.id, NOW + timedelta(seconds=1))
    sp1, sp2 = sp_record(first), sp_record(second)
    with store.transaction() as unit:
        for t in (tenant, other):
            unit.add_tenant(t)
        for app in (first, second):
            unit.add_application(app)
        unit.add_service_principal(sp1)
        unit.add_service_principal(sp2)
    with store.transaction() as unit:
        assert unit.find_service_principal(tenant.id, sp1.id) == sp1
        assert unit.find_service_principal(other.id, sp1.id) is None
        assert [sp.id for sp in unit.list_service_principals(tenant.id)] == [sp1.id, sp2.id]
        assert unit.list_service_principals(other.id) == []
        assert unit.delete_service_principal(other.id, sp1.id) is False
        assert unit.delete_service_principal(tenant.id, sp1.id) is True
    with store.transaction() as unit:
        assert [sp.id for sp in unit.list_service_principals(tenant.id)] == [sp2.id]


def test_assignments_on_a_resource_and_of_a_deleted_principal(store: Store) -> None:
    """Grants on a resource list oldest first; deleting an SP removes the grants it held and those on it."""
    tenant = tenant_record()
    api, client = app_record(tenant.id), app_record(tenant.id)
    resource, holder = sp_record(api), sp_record(client)
    role = new_guid()
    held = AppRoleAssignment(new_guid(), tenant.id, holder.id, "ServicePrincipal", resource.id, role, NOW)
    user = AppRoleAssignment(new_guid(), tenant.id, new_guid(), "User", resource.id, role, NOW + timedelta(seconds=1))
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        for app, sp in ((api, resource), (client, holder)):
            unit.add_application(app)
            unit.add_service_principal(sp)
        unit.add_assignment(held)
        unit.add_assignment(user)
    with store.transaction() as unit:
        assert [a.id for a in unit.list_assignments_for_resource(tenant.id, resource.id)] == [held.id, user.id]
        assert unit.list_assignments_for_resource(tenant.id, holder.id) == []
        unit.delete_service_principal(tenant.id, holder.id)
    with store.transaction() as unit:
        assert [a.id for a in unit.list_assignments_for_resource(tenant.id, resource.id)] == [user.id]
        unit.delete_service_principal(tenant.id, resource.id)
    with store.transaction() as unit:
        assert unit.list_assignments_for_resource(tenant.id, resource.id) == []
