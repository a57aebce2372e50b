"""Security groups for Graph `/groups`: create, update, delete, and direct members, each change audited.

Only security groups exist (`securityEnabled` true, `mailEnabled` false), as the Graph docs require of a
group created without Microsoft 365 features. `isAssignableToRole` is fixed at creation: such a group may
hold directory roles, so creating one and changing its members are privileged (the adapter checks who may;
entra-reference §5.6 "member/owner of a role-assignable group").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.ids import new_guid
from tenantry.directory.models import Group
from tenantry.directory.principals import DirectoryPrincipal, PrincipalLookup, find_principal
from tenantry.directory.user_changes import (
    UserError,
    UserNotFoundError,
    changed_properties,
    group_target,
    not_found_message,
)
from tenantry.directory.users import UsersUnit

# Graph property → `Group` attribute, for the properties `update_group` may change.
GROUP_PROPERTIES = {
    "displayName": "display_name",
    "description": "description",
    "mailNickname": "mail_nickname",
}


class GroupsUnit(UsersUnit, PrincipalLookup, Protocol):
    """The repositories one group transaction needs."""


@dataclass(frozen=True, slots=True)
class NewGroup:
    """Graph `POST /groups`."""

    display_name: str
    mail_nickname: str
    description: str = ""
    is_assignable_to_role: bool = False


class GroupService:
    """Each call is one transaction; writes append their audit record in it."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[GroupsUnit]]) -> None:
        self._transaction = transaction

    def create_group(self, tenant_id: str, new: NewGroup, *, ctx: AuditContext) -> Group:
        """A security group of the tenant."""
        group = Group(
            new_guid(),
            tenant_id,
            new.display_name,
            ctx.now,
            new.description,
            mail_nickname=new.mail_nickname,
            is_assignable_to_role=new.is_assignable_to_role,
        )
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise UserError(f"tenant '{tenant_id}' does not exist")
            unit.add_group(group)
            record(unit, ctx, tenant_id, AuditActivity.ADD_GROUP, (group_target(group),), "Add")
        return group

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """By object id within the tenant."""
        with self._transaction() as unit:
            return unit.find_group(tenant_id, group_id)

    def list_groups(self, tenant_id: str) -> list[Group]:
        """The tenant's groups, oldest first."""
        with self._transaction() as unit:
            return unit.list_groups(tenant_id)

    def update_group(self, group: Group, changes: Mapping[str, str], *, ctx: AuditContext) -> Group:
        """Graph `PATCH /groups/{id}`: `changes` maps `Group` attributes (`GROUP_PROPERTIES`) to new values."""
        unknown = set(changes) - set(GROUP_PROPERTIES.values())
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))}")
        updated = replace(group, **changes)  # type: ignore[arg-type]
        with self._transaction() as unit:
            unit.update_group(updated)
            modified = changed_properties(group, updated, GROUP_PROPERTIES)
            record(unit, ctx, group.tenant_id, AuditActivity.UPDATE_GROUP, (group_target(updated, modified),), "Update")
        return updated

    def delete_group(self, group: Group, *, ctx: AuditContext) -> None:
        """Graph `DELETE /groups/{id}`: members leave it and the roles it held go with it."""
        with self._transaction() as unit:
            if not unit.delete_group(group.tenant_id, group.id):
                raise UserNotFoundError(not_found_message(group.id))
            record(unit, ctx, group.tenant_id, AuditActivity.DELETE_GROUP, (group_target(group),), "Delete")

    def list_members(self, group: Group) -> list[DirectoryPrincipal]:
        """The group's direct members (users, groups, service principals)."""
        with self._transaction() as unit:
            ids = unit.list_group_member_ids(group.tenant_id, group.id)
            found = [find_principal(unit, group.tenant_id, i) for i in ids]
        return [p for p in found if p is not None]

    def find_member_candidate(self, group: Group, member_id: str) -> DirectoryPrincipal | None:
        """The user, group or service principal of the group's tenant that `member_id` names."""
        with self._transaction() as unit:
            return find_principal(unit, group.tenant_id, member_id)

    def add_member(self, group: Group, member: DirectoryPrincipal, *, ctx: AuditContext) -> None:
        """Graph `POST /groups/{id}/members/$ref`: a second add of the same member is a 400, as on Graph; a
        group may not contain itself."""
        if member.id == group.id:
            raise UserError("A group cannot be a member of itself.")
        with self._transaction() as unit:
            if member.id in unit.list_group_member_ids(group.tenant_id, group.id):
                raise UserError(
                    "One or more added object references already exist for the following modified properties: "
                    "'members'."
                )
            unit.add_group_member(group.tenant_id, group.id, member.id)
            targets = (group_target(group), _member_target(member))
            record(unit, ctx, group.tenant_id, AuditActivity.ADD_GROUP_MEMBER, targets, "Assign")

    def remove_member(self, group: Group, member_id: str, *, ctx: AuditContext) -> None:
        """Graph `DELETE /groups/{id}/members/{memberId}/$ref`; a non-member is a 404."""
        with self._transaction() as unit:
            member = find_principal(unit, group.tenant_id, member_id)
            if not unit.remove_group_member(group.tenant_id, group.id, member_id):
                raise UserNotFoundError(not_found_message(member_id))
            targets = (group_target(group), _member_target(member or DirectoryPrincipal(member_id, "User", "")))
            record(unit, ctx, group.tenant_id, AuditActivity.REMOVE_GROUP_MEMBER, targets, "Unassign")


def _member_target(member: DirectoryPrincipal) -> Target:
    return Target(member.type, member.id, member.user_principal_name or member.display_name)
