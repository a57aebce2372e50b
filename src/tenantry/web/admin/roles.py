"""Roles and administrators (issue 15 item 5): each built-in role, its members, assign and remove.

Reading the roles needs `ROLE_DEFINITION_READ`, their members `ROLE_ASSIGNMENT_READ`, assigning and removing
`ROLE_ASSIGNMENT_WRITE`, as Graph's `roleManagement/directory` routes check them; `RoleService` checks its
actor again (Global and Privileged Role Administrators only) and refuses a group that is not role-assignable.
"""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.directory.authorization import Action
from tenantry.directory.principals import DirectoryPrincipal
from tenantry.directory.repository import RoleAssignmentExistsError
from tenantry.directory.role_service import RoleError, RoleNotFoundError, RolePermissionError
from tenantry.directory.roles import BUILT_IN_ROLES, RoleAssignment, RoleDefinition, find_role
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE, admin_error

MAX_REFERENCE = 256


@dataclass(frozen=True)
class Member:
    """One assignment of the role, with the principal it names."""

    assignment: RoleAssignment
    principal: DirectoryPrincipal | None


async def list_roles(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/roles: every built-in role, with its member count when the administrator may read them."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    refused = call.refusal(Action.ROLE_DEFINITION_READ)
    if refused is not None:
        return refused
    counts: dict[str, int] | None = None
    if call.may(Action.ROLE_ASSIGNMENT_READ):
        counts = {}
        for assignment in await to_thread.run_sync(deps.roles.list_role_assignments, call.tenant_id):
            counts[assignment.role_definition_id] = counts.get(assignment.role_definition_id, 0) + 1
    values = {"title": "Roles and administrators", "roles": BUILT_IN_ROLES, "counts": counts}
    return call.page("admin/roles/list.html", values)


def _members(call: AdminCall, role: RoleDefinition) -> list[Member]:
    roles = call.deps.roles
    return [
        Member(a, roles.find_principal(call.tenant_id, a.principal_id))
        for a in roles.list_role_assignments(call.tenant_id)
        if a.role_definition_id == role.id
    ]


async def _role(call: AdminCall, role_id: str) -> RoleDefinition | Response:
    refused = call.refusal(Action.ROLE_ASSIGNMENT_READ)
    if refused is not None:
        return refused
    role = find_role(role_id) if len(role_id) == 36 else None
    if role is None:
        message = f"No built-in role has the id '{role_id[:64]}'."
        return admin_error(call.request, "Role not found", message, code="Request_ResourceNotFound", status=404)
    return role


async def _show(call: AdminCall, role: RoleDefinition, problem: str | None = None, status: int = 200) -> Response:
    members = await to_thread.run_sync(_members, call, role)
    values = {
        "title": role.display_name,
        "role": role,
        "members": members,
        "can_assign": call.may(Action.ROLE_ASSIGNMENT_WRITE),
        "problem": problem,
    }
    return call.page("admin/roles/members.html", values, status=status)


async def members(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/roles/{role_id}: the role's description and members."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    role = await _role(call, request.path_params["role_id"])
    return role if isinstance(role, Response) else await _show(call, role)


def _principal_id(call: AdminCall, reference: str) -> str:
    """A UPN names a user; anything else is taken as an object id (the service resolves it)."""
    if "@" in reference:
        user = call.deps.users.find_tenant_user(call.tenant_id, reference)
        if user is None:
            raise RoleNotFoundError(f"no user '{reference}' in the tenant")
        return user.id
    return reference


def _assign(call: AdminCall, role: RoleDefinition, reference: str) -> None:
    principal_id = _principal_id(call, reference)
    call.deps.roles.assign_role(call.tenant_id, principal_id, role.id, ctx=call.audit)


async def _write(deps: AdminDeps, request: Request) -> tuple[AdminCall, RoleDefinition, dict[str, str]] | Response:
    """The common head of both forms: session, role, CSRF, then `ROLE_ASSIGNMENT_WRITE`."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    role = await _role(call, request.path_params["role_id"])
    if isinstance(role, Response):
        return role
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    refused = call.refusal(Action.ROLE_ASSIGNMENT_WRITE)
    return refused if refused is not None else (call, role, fields)


async def assign(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/roles/{role_id}/assignments: *Add assignments* by UPN or object id."""
    found = await _write(deps, request)
    if isinstance(found, Response):
        return found
    call, role, fields = found
    reference = fields.get("principal", "").strip()[:MAX_REFERENCE]
    try:
        await to_thread.run_sync(_assign, call, role, reference)
    except (RoleError, RoleNotFoundError, RoleAssignmentExistsError, RolePermissionError) as err:
        return await _show(call, role, str(err).strip("'\""), status=400)
    return RedirectResponse(f"/admin/roles/{role.id}", status_code=303, headers=NO_STORE)


async def confirm_remove(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/roles/{role_id}/assignments/{id}/remove: "Remove this assignment?"."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    role = await _role(call, request.path_params["role_id"])
    if isinstance(role, Response):
        return role
    member = next(
        (m for m in await to_thread.run_sync(_members, call, role) if m.assignment.id == request.path_params["id"]),
        None,
    )
    if member is None:
        return await _show(call, role, "That assignment no longer exists.", status=404)
    return call.page("admin/roles/remove.html", {"title": "Remove assignment", "role": role, "member": member})


async def remove(deps: AdminDeps, request: Request) -> Response:
    """POST …/remove: the role is taken away at once."""
    found = await _write(deps, request)
    if isinstance(found, Response):
        return found
    call, role, _ = found
    assignment_id = request.path_params["id"]
    try:
        await to_thread.run_sync(
            lambda: deps.roles.remove_role_assignment(call.tenant_id, assignment_id, ctx=call.audit)
        )
    except (RoleNotFoundError, RolePermissionError) as err:
        return await _show(call, role, str(err).strip("'\""), status=400)
    return RedirectResponse(f"/admin/roles/{role.id}", status_code=303, headers=NO_STORE)
