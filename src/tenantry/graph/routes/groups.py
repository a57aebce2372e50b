"""`/groups`: security groups, their members (`members/$ref`), and role-assignable groups.

A role-assignable group (`isAssignableToRole`) may hold directory roles, so creating one and changing its
members is role management: only Global and Privileged Role Administrators (or an app with
`RoleManagement.ReadWrite.Directory`) may, as in Entra. Otherwise a Groups or User Administrator could add
themselves to a group holding Global Administrator.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.groups import NewGroup
from tenantry.directory.models import Group
from tenantry.graph.auth import Call, CallDep, CallerDep, Deps
from tenantry.graph.errors import bad_request, not_found
from tenantry.graph.fields import DIRECTORY_OBJECT_FIELDS, GROUP_FIELDS
from tenantry.graph.listing import API_PREFIX, context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import ListOptions, SelectOption, check_object_id, no_content, ok
from tenantry.graph.routes.owners import reference_id
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.directory import DirectoryObjectResource, directory_object_view
from tenantry.graph.schemas.inputs import ReferenceInput
from tenantry.graph.schemas.users import GroupInput, GroupPatch, GroupResource, group_view

router = APIRouter(tags=["groups"])


def group_by_id(id: str, caller: CallerDep, deps: Deps) -> Group:
    """`/groups/{id}`, in the caller's tenant."""
    group = deps.groups.find_group(caller.tenant_id, check_object_id(id))
    if group is None:
        raise not_found(id)
    return group


GroupDep = Annotated[Group, Depends(group_by_id)]


def check_members_change(call: Call, group: Group) -> None:
    """`groups/members/update`, plus role management for a role-assignable group."""
    call.rights.check_group_change(Action.GROUP_MEMBERS, role_assignable=group.is_assignable_to_role)


@router.get(
    "/groups",
    dependencies=[ListOptions],
    responses=ok(Collection[GroupResource]),
    operation_id="groups_list",
    summary="List the tenant's groups.",
)
def list_groups(call: CallDep) -> Response:
    """Graph `GET /groups`."""
    call.rights.check(Action.GROUP_READ)
    records = [group_view(g) for g in call.deps.groups.list_groups(call.tenant_id)]
    return call.page(records, GROUP_FIELDS, "groups")


@router.post(
    "/groups",
    status_code=201,
    responses=ok(GroupResource, 201, "Created."),
    operation_id="groups_create",
    summary="Create a security group (mailEnabled false, securityEnabled true; isAssignableToRole optional).",
)
def create_group(body: Annotated[GroupInput, Body()], call: CallDep) -> Response:
    """Graph `POST /groups`; a role-assignable group needs Global or Privileged Role Administrator."""
    call.rights.check_group_change(Action.GROUP_CREATE, role_assignable=bool(body.is_assignable_to_role))
    problem = body.problem()
    if problem:
        raise bad_request(problem)
    new = NewGroup(
        display_name=body.display_name or "",
        mail_nickname=body.mail_nickname or "",
        description=body.description or "",
        is_assignable_to_role=bool(body.is_assignable_to_role),
    )
    group = call.deps.groups.create_group(call.tenant_id, new, ctx=call.audit)
    record = {"@odata.context": context_url(call.base_url, "groups/$entity"), **group_view(group)}
    location = f"{call.base_url}{API_PREFIX}/groups/{group.id}"
    return GraphJson(record, status_code=201, headers={"Location": location})


@router.get(
    "/groups/{id}",
    dependencies=[SelectOption],
    responses=ok(GroupResource),
    operation_id="groups_get",
    summary="Read one group.",
)
def get_group(group: GroupDep, call: CallDep) -> Response:
    """Graph `GET /groups/{id}`."""
    call.rights.check(Action.GROUP_READ)
    return call.one(group_view(group), GROUP_FIELDS, "groups")


@router.patch(
    "/groups/{id}",
    status_code=204,
    responses=no_content("Updated."),
    operation_id="groups_update",
    summary="Update a group's displayName, description or mailNickname.",
)
def update_group(group: GroupDep, body: Annotated[GroupPatch, Body()], call: CallDep) -> Response:
    """Graph `PATCH /groups/{id}`."""
    call.rights.check_group_change(Action.GROUP_UPDATE, role_assignable=group.is_assignable_to_role)
    changes = body.changes()
    if changes:
        call.deps.groups.update_group(group, changes, ctx=call.audit)
    return Response(status_code=204)


@router.delete(
    "/groups/{id}",
    status_code=204,
    responses=no_content("Deleted."),
    operation_id="groups_delete",
    summary="Delete a group (its members leave it; roles it held are removed).",
)
def delete_group(group: GroupDep, call: CallDep) -> Response:
    """Graph `DELETE /groups/{id}`."""
    call.rights.check_group_change(Action.GROUP_DELETE, role_assignable=group.is_assignable_to_role)
    call.deps.groups.delete_group(group, ctx=call.audit)
    return Response(status_code=204)


@router.get(
    "/groups/{id}/members",
    dependencies=[ListOptions],
    responses=ok(Collection[DirectoryObjectResource]),
    operation_id="groups_listMembers",
    summary="The group's direct members.",
)
def list_members(group: GroupDep, call: CallDep) -> Response:
    """Graph `GET /groups/{id}/members`: users, groups and service principals as directory objects."""
    call.rights.check(Action.GROUP_READ)
    records = [directory_object_view(p) for p in call.deps.groups.list_members(group)]
    return call.page(records, DIRECTORY_OBJECT_FIELDS, f"groups/{group.id}/members", "directoryObjects")


@router.post(
    "/groups/{id}/members/$ref",
    status_code=204,
    responses=no_content("Added."),
    operation_id="groups_addMember",
    summary='Add a member: body `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`.',
)
def add_member(group: GroupDep, body: Annotated[ReferenceInput, Body()], call: CallDep) -> Response:
    """Graph `POST /groups/{id}/members/$ref`; a role-assignable group needs role management."""
    check_members_change(call, group)
    member = call.deps.groups.find_member_candidate(group, reference_id(body.odata_id))
    if member is None:
        raise not_found(body.odata_id[:128])
    call.deps.groups.add_member(group, member, ctx=call.audit)
    return Response(status_code=204)


@router.delete(
    "/groups/{id}/members/{member_id}/$ref",
    status_code=204,
    responses=no_content("Removed."),
    operation_id="groups_removeMember",
    summary="Remove a member.",
)
def remove_member(group: GroupDep, member_id: str, call: CallDep) -> Response:
    """Graph `DELETE /groups/{id}/members/{memberId}/$ref`."""
    check_members_change(call, group)
    call.deps.groups.remove_member(group, check_object_id(member_id), ctx=call.audit)
    return Response(status_code=204)
