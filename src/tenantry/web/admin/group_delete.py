"""Groups > a group > *Delete*, after a confirmation page.

Graph's `DELETE /groups/{id}`: `CallerRights.check_group_change(GROUP_DELETE, …)`, so a role-assignable
group (whose members lose its roles) is deleted only by Global and Privileged Role Administrators.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.user_changes import UserNotFoundError
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.groups import group_of, group_service
from tenantry.web.admin.views import NO_STORE


async def confirm(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/groups/{id}/delete: "Delete group?" with Delete and Cancel (only for who may)."""
    found = await group_of(deps, request)
    if isinstance(found, Response):
        return found
    call, group = found
    try:
        call.rights.check_group_change(Action.GROUP_DELETE, role_assignable=group.is_assignable_to_role)
    except AuthorizationError as err:
        return call.refused(err)
    members = await to_thread.run_sync(group_service(call).list_members, group)
    values = {"title": "Delete group", "group": group, "member_count": len(members)}
    return call.page("admin/groups/delete.html", values)


async def delete(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/groups/{id}/delete: the group goes, with its memberships and the roles it held."""
    found = await group_of(deps, request)
    if isinstance(found, Response):
        return found
    call, group = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        call.rights.check_group_change(Action.GROUP_DELETE, role_assignable=group.is_assignable_to_role)
        await to_thread.run_sync(lambda: group_service(call).delete_group(group, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except UserNotFoundError:
        pass  # already gone: the list says so
    return RedirectResponse("/admin/groups", status_code=303, headers=NO_STORE)
