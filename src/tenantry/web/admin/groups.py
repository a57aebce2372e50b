"""Groups (issue 15 item 4): the list with search, *New group*, a group's members with *Add members* and
remove after a confirmation page.

Each check is Graph's for the same call: `GROUP_READ` to read, and `CallerRights.check_group_change` to
create a group or change its members. A role-assignable group hands out its directory roles, so creating
one or changing its members needs a role that may assign roles (Global or Privileged Role Administrator):
a User Administrator cannot make themself a member of a group that holds Global Administrator.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.groups import GroupService, NewGroup
from tenantry.directory.models import Group
from tenantry.directory.principals import DirectoryPrincipal
from tenantry.directory.user_changes import UserError, UserNotFoundError
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE, admin_error

MAX_FIELD = 256
MAX_SEARCH = 100
PROBLEMS = (UserError, UserNotFoundError)


def group_service(call: AdminCall) -> GroupService:
    """The group service (the admin center is always built with it; a test app may not be)."""
    if call.deps.groups is None:
        raise UserNotFoundError("Groups are not served by this admin center.")
    return call.deps.groups


def may_change(call: AdminCall, action: Action, *, role_assignable: bool) -> bool:
    """Whether `check_group_change` allows it (to show a control; the POST checks again)."""
    try:
        call.rights.check_group_change(action, role_assignable=role_assignable)
    except AuthorizationError:
        return False
    return True


async def _reader(deps: AdminDeps, request: Request) -> AdminCall | Response:
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    refused = call.refusal(Action.GROUP_READ)
    return refused if refused is not None else call


async def list_groups(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/groups[?search=]: the tenant's groups."""
    call = await _reader(deps, request)
    if isinstance(call, Response):
        return call
    search = request.query_params.get("search", "")[:MAX_SEARCH].strip()
    groups = await to_thread.run_sync(group_service(call).list_groups, call.tenant_id)
    rows = sorted((g for g in groups if search.lower() in g.display_name.lower()), key=lambda g: g.display_name.lower())
    may_create = may_change(call, Action.GROUP_CREATE, role_assignable=False)
    values = {"title": "Groups", "rows": rows, "search": search, "may_create": may_create}
    return call.page("admin/groups/list.html", values)


def _new_form(call: AdminCall, extra: dict[str, object] | None = None, status: int = 200) -> Response:
    may_role = may_change(call, Action.GROUP_CREATE, role_assignable=True)
    return call.page(
        "admin/groups/new.html", {"title": "New group", "may_role": may_role, **(extra or {})}, status=status
    )


async def new(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/groups/new."""
    call = await _reader(deps, request)
    if isinstance(call, Response):
        return call
    try:
        call.rights.check_group_change(Action.GROUP_CREATE, role_assignable=False)
    except AuthorizationError as err:
        return call.refused(err)
    return _new_form(call)


def _new_group(fields: dict[str, str]) -> NewGroup:
    name = fields.get("name", "").strip()[:MAX_FIELD]
    nickname = fields.get("mail_nickname", "").strip()[:64] or "".join(c for c in name if c.isalnum())[:64]
    if not name or not nickname:
        raise UserError("Enter the group's name (and a mail nickname of letters and digits).")
    description = fields.get("description", "").strip()[:1024]
    return NewGroup(name, nickname, description, is_assignable_to_role=fields.get("role_assignable") == "yes")


async def create(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/groups/new: a security group; role-assignable only for who may assign roles."""
    call = await _reader(deps, request)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        wanted = _new_group(fields)
        call.rights.check_group_change(Action.GROUP_CREATE, role_assignable=wanted.is_assignable_to_role)
        group = await to_thread.run_sync(
            lambda: group_service(call).create_group(call.tenant_id, wanted, ctx=call.audit)
        )
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return _new_form(call, {"problem": str(err), "form": fields}, 400)
    return RedirectResponse(f"/admin/groups/{group.id}", status_code=303, headers=NO_STORE)


async def group_of(deps: AdminDeps, request: Request) -> tuple[AdminCall, Group] | Response:
    """The administrator and the group of the path, after `GROUP_READ`; else the 403 or 404 page."""
    call = await _reader(deps, request)
    if isinstance(call, Response):
        return call
    group_id = request.path_params["id"][:64]
    group = await to_thread.run_sync(lambda: group_service(call).find_group(call.tenant_id, group_id.lower()))
    if group is None:
        message = f"No group has the object id '{group_id}' in this tenant."
        return admin_error(request, "Group not found", message, code="Request_ResourceNotFound", status=404)
    return call, group


async def _show(call: AdminCall, group: Group, problem: str | None = None, status: int = 200) -> Response:
    members = await to_thread.run_sync(group_service(call).list_members, group)
    may = may_change(call, Action.GROUP_MEMBERS, role_assignable=group.is_assignable_to_role)
    may_delete = may_change(call, Action.GROUP_DELETE, role_assignable=group.is_assignable_to_role)
    values = {"title": group.display_name, "group": group, "members": members, "may_change": may, "problem": problem}
    values["may_delete"] = may_delete
    return call.page("admin/groups/overview.html", values, status=status)


async def overview(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/groups/{id}: properties and members."""
    found = await group_of(deps, request)
    return found if isinstance(found, Response) else await _show(*found)


def _add(call: AdminCall, group: Group, reference: str) -> None:
    member_id = reference.lower()
    if "@" in reference:
        user = call.deps.users.find_tenant_user(call.tenant_id, reference)
        if user is None:
            raise UserNotFoundError(f"No user '{reference}' in this tenant.")
        member_id = user.id
    member = group_service(call).find_member_candidate(group, member_id)
    if member is None:
        raise UserNotFoundError(f"No user, group or service principal '{reference}' in this tenant.")
    group_service(call).add_member(group, member, ctx=call.audit)


async def add_member(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/groups/{id}/members: *Add members* by UPN or object id."""
    found = await group_of(deps, request)
    if isinstance(found, Response):
        return found
    call, group = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        call.rights.check_group_change(Action.GROUP_MEMBERS, role_assignable=group.is_assignable_to_role)
        await to_thread.run_sync(_add, call, group, fields.get("principal", "").strip()[:MAX_FIELD])
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return await _show(call, group, str(err), 400)
    return RedirectResponse(f"/admin/groups/{group.id}", status_code=303, headers=NO_STORE)


def _member(call: AdminCall, group: Group, member_id: str) -> DirectoryPrincipal | None:
    return next((m for m in group_service(call).list_members(group) if m.id == member_id), None)


async def confirm_remove(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/groups/{id}/members/{member_id}/remove: "Remove member?" with Remove and Cancel."""
    found = await group_of(deps, request)
    if isinstance(found, Response):
        return found
    call, group = found
    member = await to_thread.run_sync(_member, call, group, request.path_params["member_id"][:64])
    if member is None:
        return await _show(call, group, "That principal is not a member of the group.", 404)
    return call.page("admin/groups/remove.html", {"title": "Remove member", "group": group, "member": member})


async def remove_member(deps: AdminDeps, request: Request) -> Response:
    """POST …/members/{member_id}/remove."""
    found = await group_of(deps, request)
    if isinstance(found, Response):
        return found
    call, group = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    member_id = request.path_params["member_id"][:64]
    try:
        call.rights.check_group_change(Action.GROUP_MEMBERS, role_assignable=group.is_assignable_to_role)
        await to_thread.run_sync(lambda: group_service(call).remove_member(group, member_id, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return await _show(call, group, str(err), 404)
    return RedirectResponse(f"/admin/groups/{group.id}", status_code=303, headers=NO_STORE)
