"""Enterprise applications (issue 15 item 3): the tenant's service principals, whether each is enabled and
requires assignment, and who is assigned to it.

Reading is `SP_READ`, changing the two switches `SP_UPDATE`, as Graph's `GET`/`PATCH /servicePrincipals`
check them; `AppService.change_service_principal` refuses to disable a first-party service principal, for
the admin center as for Graph. Assigning a user or group is `CallerRights.check_app_role_grant`, the
guarded check of Graph's `appRoleAssignedTo` (a first-party resource such as Microsoft Graph needs
`CONSENT_ANY_API`); `AppService.assign_app_role` checks the role's allowed member types.
"""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.changes import AppError
from tenantry.apps.models import ServicePrincipal
from tenantry.apps.operations import NotFoundError
from tenantry.apps.privilege import is_first_party
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.principals import DirectoryPrincipal
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE, admin_error

MAX_SEARCH = 100
DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Assigned:
    """One row of *Users and groups*: who, and which app role (or default access)."""

    principal: DirectoryPrincipal
    role: str


def _matches(sp: ServicePrincipal, search: str) -> bool:
    needle = search.lower()
    return not needle or needle in sp.display_name.lower() or needle in sp.app_id.lower()


async def list_enterprise_apps(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/enterprise-apps[?search=]."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    refused = call.refusal(Action.SP_READ)
    if refused is not None:
        return refused
    search = request.query_params.get("search", "")[:MAX_SEARCH].strip()
    sps = await to_thread.run_sync(deps.apps.list_service_principals, call.tenant_id)
    rows = sorted((sp for sp in sps if _matches(sp, search)), key=lambda sp: sp.display_name.lower())
    return call.page("admin/enterprise/list.html", {"title": "Enterprise applications", "rows": rows, "search": search})


def _assigned(call: AdminCall, sp: ServicePrincipal) -> list[Assigned]:
    app = call.deps.apps.find_app(sp.app_id)
    names = {role.id: role.display_name for role in (app.app_roles if app else ())}
    rows = []
    for assignment in call.deps.apps.list_assigned_to(sp):
        principal = call.deps.roles.find_principal(call.tenant_id, assignment.principal_id)
        if principal is not None:
            rows.append(Assigned(principal, names.get(assignment.app_role_id, "Default Access")))
    return rows


async def _sp(call: AdminCall, sp_id: str) -> ServicePrincipal | Response:
    refused = call.refusal(Action.SP_READ)
    if refused is not None:
        return refused
    sp = await to_thread.run_sync(call.deps.apps.find_service_principal, call.tenant_id, sp_id)
    if sp is None:
        message = f"No enterprise application has the object id '{sp_id[:64]}' in this tenant."
        return admin_error(
            call.request, "Enterprise application not found", message, code="Request_ResourceNotFound", status=404
        )
    return sp


def check_grant(call: AdminCall, sp: ServicePrincipal) -> None:
    """Graph's rule for granting an app role of `sp` (its owners may; first-party resources need more)."""
    app = call.deps.apps.find_app(sp.app_id)
    own = app is not None and app.tenant_id == call.tenant_id
    call.rights.check_app_role_grant(
        first_party=is_first_party(app), resource_application_id=app.id if own and app else None
    )


def _roles_for_people(call: AdminCall, sp: ServicePrincipal) -> list[tuple[str, str]]:
    """Default Access, then the app roles users and groups may hold."""
    app = call.deps.apps.find_app(sp.app_id)
    roles = [(r.id, r.display_name) for r in (app.app_roles if app else ()) if "User" in r.allowed_member_types]
    return [(DEFAULT_ACCESS, "Default Access"), *roles]


def _may_grant(call: AdminCall, sp: ServicePrincipal) -> bool:
    try:
        check_grant(call, sp)
    except AuthorizationError:
        return False
    return True


async def _show(call: AdminCall, sp: ServicePrincipal, problem: str | None = None) -> Response:
    assigned = await to_thread.run_sync(_assigned, call, sp)
    may_grant = await to_thread.run_sync(_may_grant, call, sp)
    values = {
        "may_grant": may_grant,
        "app_roles": await to_thread.run_sync(_roles_for_people, call, sp) if may_grant else [],
        "title": sp.display_name,
        "sp": sp,
        "assigned": assigned,
        "can_update": call.may(Action.SP_UPDATE),
        "update_reason": call.rights.denial(Action.SP_UPDATE),
        "problem": problem,
    }
    return call.page("admin/enterprise/overview.html", values, status=400 if problem else 200)


async def overview(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/enterprise-apps/{id}: properties, and *Users and groups*."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    sp = await _sp(call, request.path_params["id"])
    return sp if isinstance(sp, Response) else await _show(call, sp)


async def update(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/enterprise-apps/{id}/properties: *Enabled for users to sign in?* and *Assignment required?*"""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    sp = await _sp(call, request.path_params["id"])
    if isinstance(sp, Response):
        return sp
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    refused = call.refusal(Action.SP_UPDATE)
    if refused is not None:
        return refused
    enabled, required = fields.get("enabled") == "yes", fields.get("assignment_required") == "yes"
    try:
        await to_thread.run_sync(
            lambda: deps.apps.change_service_principal(
                sp, enabled=enabled, assignment_required=required, ctx=call.audit
            )
        )
    except AppError as err:
        return await _show(call, sp, str(err))
    return RedirectResponse(f"/admin/enterprise-apps/{sp.id}", status_code=303, headers=NO_STORE)


def _grant(call: AdminCall, sp: ServicePrincipal, reference: str, role_id: str) -> None:
    """A UPN names a user; anything else is an object id (of a group or user)."""
    principal_id = reference
    if "@" in reference:
        user = call.deps.users.find_tenant_user(call.tenant_id, reference)
        if user is None:
            raise NotFoundError(f"No user '{reference}' in this tenant.")
        principal_id = user.id
    call.deps.apps.assign_app_role(sp, principal_id, role_id, ctx=call.audit)


async def assign(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/enterprise-apps/{id}/assignments: *Add user/group* with a role (or Default Access)."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    sp = await _sp(call, request.path_params["id"])
    if isinstance(sp, Response):
        return sp
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        await to_thread.run_sync(check_grant, call, sp)
    except AuthorizationError as err:
        return call.refused(err)
    reference, role_id = fields.get("principal", "").strip()[:256], fields.get("app_role", DEFAULT_ACCESS)[:64]
    try:
        await to_thread.run_sync(_grant, call, sp, reference, role_id)
    except (AppError, NotFoundError) as err:
        return await _show(call, sp, str(err))
    return RedirectResponse(f"/admin/enterprise-apps/{sp.id}", status_code=303, headers=NO_STORE)
