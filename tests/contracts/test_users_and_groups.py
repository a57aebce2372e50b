"""`UserRepository.delete_user` and the group writes (`update_group`, `delete_group`, `remove_group_member`,
`list_group_member_ids`) on both backends: deleting a user or group takes what names it (memberships, role
assignments, ownerships) and nothing of another tenant."""

from __future__ import annotations

from dataclasses import replace

from tenantry.common.ids import new_guid
from tenantry.directory.models import Group, Tenant, User
from tenantry.directory.roles import RoleAssignment
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, tenant_record

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


def _user(tenant: Tenant, name: str) -> User:
    return User(new_guid(), tenant.id, f"{name}@{tenant.domains[0]}", name.title(), NOW, password_hash="x")


def _group(tenant: Tenant, name: str, *, role_assignable: bool = False) -> Group:
    return Group(new_guid(), tenant.id, name, NOW, "", mail_nickname=name, is_assignable_to_role=role_assignable)


def _seed(store: Store) -> tuple[Tenant, User, Group]:
    tenant = tenant_record()
    user, group = _user(tenant, "ada"), _group(tenant, "admins", role_assignable=True)
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_user(user)
        unit.add_group(group)
        unit.add_group_member(tenant.id, group.id, user.id)
    return tenant, user, group


def test_deleting_a_user_takes_its_memberships_roles_and_ownerships(store: Store) -> None:
    """Nothing keeps naming a deleted user; a second delete is False."""
    tenant, user, group = _seed(store)
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_role_assignment(RoleAssignment(new_guid(), tenant.id, user.id, GLOBAL_ADMIN, NOW))
        unit.add_application(app)
        unit.add_owner(tenant.id, app.id, user.id, "User")
    with store.transaction() as unit:
        assert unit.delete_user(tenant.id, user.id)
    with store.transaction() as unit:
        assert unit.find_user(tenant.id, user.id) is None
        assert unit.list_group_member_ids(tenant.id, group.id) == []
        assert unit.list_role_assignments(tenant.id, user.id) == []
        assert unit.list_owned_application_ids(tenant.id, user.id) == []
        assert not unit.delete_user(tenant.id, user.id)


def test_a_user_is_deleted_only_in_its_tenant(store: Store) -> None:
    """Another tenant's id for the same user deletes nothing."""
    _, user, _ = _seed(store)
    other = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(other)
        assert not unit.delete_user(other.id, user.id)
        assert unit.find_user(user.tenant_id, user.id) == user


def test_group_update_members_and_delete(store: Store) -> None:
    """Update keeps `isAssignableToRole`; members are listed and removed; delete takes roles and members."""
    tenant, user, group = _seed(store)
    with store.transaction() as unit:
        unit.update_group(replace(group, display_name="Admins ✓", description="d", is_assignable_to_role=False))
        unit.add_role_assignment(RoleAssignment(new_guid(), tenant.id, group.id, GLOBAL_ADMIN, NOW))
    with store.transaction() as unit:
        found = unit.find_group(tenant.id, group.id)
        assert found == replace(group, display_name="Admins ✓", description="d")
        assert unit.list_group_member_ids(tenant.id, group.id) == [user.id]
        assert unit.remove_group_member(tenant.id, group.id, user.id)
        assert not unit.remove_group_member(tenant.id, group.id, user.id)
        unit.add_group_member(tenant.id, group.id, user.id)
    with store.transaction() as unit:
        assert unit.delete_group(tenant.id, group.id)
    with store.transaction() as unit:
        assert unit.find_group(tenant.id, group.id) is None
        assert unit.list_group_ids_of_member(tenant.id, user.id) == []
        assert unit.list_role_assignments(tenant.id, group.id) == []
        assert not unit.delete_group(tenant.id, group.id)
