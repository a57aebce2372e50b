"""`UserGrantRepository` contract (My Account's "Apps"): one principal's own grants, tenant-scoped; deleting
one grant by id leaves the admin consent and other users' grants alone."""

from __future__ import annotations

from tenantry.apps.models import PermissionGrant
from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, sp_record, tenant_record


def _world(store: Store) -> tuple[str, str, str]:
    """A tenant with a client and a resource service principal: (tenant id, client id, resource id)."""
    tenant = tenant_record()
    client_app, resource_app = app_record(tenant.id), app_record(tenant.id)
    client, resource = sp_record(client_app), sp_record(resource_app)
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(client_app)
        unit.add_application(resource_app)
        unit.add_service_principal(client)
        unit.add_service_principal(resource)
    return tenant.id, client.id, resource.id


def _grant(world: tuple[str, str, str], principal: str | None, scopes: tuple[str, ...]) -> PermissionGrant:
    tenant_id, client_id, resource_id = world
    kind = "Principal" if principal else "AllPrincipals"
    return PermissionGrant(new_guid(), tenant_id, client_id, resource_id, kind, principal, scopes, NOW)


def test_a_principals_grants_only(store: Store) -> None:
    """Admin consent and another user's grant are not the user's; an empty principal finds nothing."""
    world = _world(store)
    mine, theirs, admin = (
        _grant(world, "u-1", ("User.Read",)),
        _grant(world, "u-2", ("openid",)),
        _grant(world, None, ()),
    )
    with store.transaction() as unit:
        for grant in (mine, theirs, admin):
            unit.save_permission_grant(grant)
    with store.transaction() as unit:
        assert unit.list_principal_permission_grants(world[0], "u-1") == [mine]
        assert unit.list_principal_permission_grants(world[0], "") == []
        assert unit.list_principal_permission_grants(new_guid(), "u-1") == []


def test_delete_one_grant_by_id_within_its_tenant(store: Store) -> None:
    """Another tenant cannot delete it; its own tenant can, once; the others stay."""
    world = _world(store)
    mine, admin = _grant(world, "u-1", ("User.Read",)), _grant(world, None, ("openid",))
    with store.transaction() as unit:
        unit.save_permission_grant(mine)
        unit.save_permission_grant(admin)
    with store.transaction() as unit:
        assert not unit.delete_permission_grant(new_guid(), mine.id)
        assert unit.delete_permission_grant(world[0], mine.id)
        assert not unit.delete_permission_grant(world[0], mine.id)
    with store.transaction() as unit:
        assert unit.list_principal_permission_grants(world[0], "u-1") == []
        assert unit.list_permission_grants(*world) == [admin]
