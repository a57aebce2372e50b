"""App registration > API permissions: what the app requires (`requiredResourceAccess`), *Add a permission*
(delegated or application, on Microsoft Graph or an API of the tenant), remove after a confirmation page,
and *Grant admin consent*.

Adding and removing is Graph's `PATCH /applications/{id}` (`APP_UPDATE`, owners included). Granting is the
CLI's `app permission admin-consent` (`AppService.admin_consent`) under the rule the `/adminconsent`
endpoint applies, `sessions.consent.admin_consent_action`: app roles of a first-party API such as Microsoft
Graph need `CONSENT_ANY_API` (Global and Privileged Role Administrators), other permissions
`CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES`; requiring a permission never grants it.
"""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import AppError, ApplicationChanges
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application, RequiredResourceAccess
from tenantry.apps.operations import NotFoundError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.sessions.consent import admin_consent_action
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps

KINDS = {"Scope": "Delegated", "Role": "Application"}
MAX_FIELD = 256


@dataclass(frozen=True)
class PermissionRow:
    """One required permission as the tab lists it."""

    api_name: str
    api_app_id: str
    permission_id: str
    value: str
    kind: str
    granted: bool


class _Apps:
    """`ApplicationReader` over `AppService`: the consent rule reads the resource apps through it."""

    def __init__(self, call: AdminCall) -> None:
        self._call = call

    def find_application_by_app_id(self, app_id: str) -> Application | None:
        """Any tenant's app by appId (first-party APIs live in none of the tenants)."""
        return self._call.deps.apps.find_app(app_id)

    def find_application_by_identifier_uri(self, tenant_id: str, uri: str) -> Application | None:
        """An App ID URI as `tenant_id` resolves it."""
        return self._call.deps.apps.find_app(uri, tenant_id)

    def list_applications(self, tenant_id: str) -> list[Application]:
        """The tenant's app registrations."""
        return self._call.deps.apps.list_apps(tenant_id)


def _granted_roles(call: AdminCall, app: Application, resource_app_id: str) -> set[str]:
    sps = {sp.app_id: sp for sp in call.deps.apps.list_service_principals(call.tenant_id)}
    client, resource = sps.get(app.app_id), sps.get(resource_app_id)
    if client is None or resource is None:
        return set()
    return {a.app_role_id for a in call.deps.apps.list_assigned_to(resource) if a.principal_id == client.id}


def _value(api: Application | None, permission_id: str, kind: str) -> str:
    items = (api.app_roles if kind == "Role" else api.oauth2_permission_scopes) if api else ()
    return next((p.value for p in items if p.id == permission_id), permission_id)


def permission_rows(call: AdminCall, app: Application) -> list[PermissionRow]:
    """Every required permission, named by its API and value, with whether it is granted tenant-wide (an app
    role assigned to the app's service principal; a scope in an admin's `AllPrincipals` consent)."""
    rows = []
    for entry in app.required_resource_access:
        api = call.deps.apps.find_app(entry.resource_app_id)
        roles = _granted_roles(call, app, entry.resource_app_id)
        scopes = call.deps.apps.list_admin_granted_scopes(call.tenant_id, app.app_id, entry.resource_app_id)
        name = api.display_name if api else entry.resource_app_id
        for access in entry.resource_access:
            value = _value(api, access.id, access.type)
            granted = access.id in roles if access.type == "Role" else value in scopes
            rows.append(PermissionRow(name, entry.resource_app_id, access.id, value, access.type, granted))
    return rows


def _apis(call: AdminCall) -> list[tuple[str, str]]:
    """Microsoft Graph, then the tenant's apps that expose a scope or an app role: (appId, name)."""
    own = [a for a in call.deps.apps.list_apps(call.tenant_id) if a.app_roles or a.oauth2_permission_scopes]
    return [(GRAPH_APP_ID, "Microsoft Graph"), *sorted(((a.app_id, a.display_name) for a in own), key=lambda t: t[1])]


def check_consent(call: AdminCall, app: Application) -> None:
    """The `/adminconsent` endpoint's rule for granting everything `app` requires, tenant-wide."""
    call.rights.check(admin_consent_action(app, _Apps(call)))


def _may_consent(call: AdminCall, app: Application) -> bool:
    try:
        check_consent(call, app)
    except AuthorizationError:
        return False
    return True


def _values(call: AdminCall, app: Application) -> dict[str, object]:
    return {
        "rows": permission_rows(call, app),
        "apis": _apis(call),
        "kinds": KINDS,
        "may_update": call.rights.allows(Action.APP_UPDATE, app.id),
        "may_consent": bool(app.required_resource_access) and _may_consent(call, app),
    }


async def _page(
    call: AdminCall, app: Application, extra: dict[str, object] | None = None, status: int = 200
) -> Response:
    values = await to_thread.run_sync(_values, call, app)
    title = f"API permissions - {app.display_name}"
    context = {"title": title, "app": app, "tab": "permissions", **values, **(extra or {})}
    return call.page("admin/apps/permissions.html", context, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/permissions."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else await _page(*found)


async def add(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/permissions: *Add a permission* (required, not yet granted)."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    api, permission = fields.get("api", "").strip()[:MAX_FIELD], fields.get("permission", "").strip()[:MAX_FIELD]
    kind = fields.get("kind", "")
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        if kind not in KINDS or not api or not permission:
            raise AppError("Choose an API, a type and enter the permission's value (such as User.Read).")
        await to_thread.run_sync(lambda: deps.apps.add_permission(app, api, permission, kind, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except AppError as err:
        return await _page(call, app, {"problem": str(err), "form": fields}, 400)
    return back(app, "permissions")


def _find(rows: list[PermissionRow], api: str, permission_id: str) -> PermissionRow | None:
    return next((r for r in rows if r.api_app_id == api and r.permission_id == permission_id), None)


async def confirm_remove(deps: AdminDeps, request: Request) -> Response:
    """GET …/permissions/remove?api=&permission=: "Remove permission?" with Remove and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    rows = await to_thread.run_sync(permission_rows, call, app)
    row = _find(rows, request.query_params.get("api", ""), request.query_params.get("permission", ""))
    if row is None:
        return await _page(call, app, {"problem": "The app no longer requires that permission."}, 404)
    values = {"title": "Remove permission", "app": app, "row": row, "kind": KINDS[row.kind]}
    return call.page("admin/apps/remove_permission.html", values)


def _without(app: Application, api: str, permission_id: str) -> tuple[RequiredResourceAccess, ...]:
    kept = []
    for entry in app.required_resource_access:
        access = entry.resource_access
        if entry.resource_app_id == api:
            access = tuple(a for a in access if a.id != permission_id)
        if access:
            kept.append(RequiredResourceAccess(entry.resource_app_id, access))
    return tuple(kept)


async def remove(deps: AdminDeps, request: Request) -> Response:
    """POST …/permissions/remove: no longer required (a grant already made stays, as in Entra)."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
    except AuthorizationError as err:
        return call.refused(err)
    changes = ApplicationChanges(
        required_resource_access=_without(app, fields.get("api", ""), fields.get("permission", ""))
    )
    try:
        await to_thread.run_sync(lambda: deps.apps.update_application(app, changes, ctx=call.audit))
    except (AppError, NotFoundError) as err:
        return await _page(call, app, {"problem": str(err)}, 400)
    return back(app, "permissions")


async def consent(deps: AdminDeps, request: Request) -> Response:
    """POST …/permissions/consent: *Grant admin consent for the tenant*."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, _ = found
    try:
        await to_thread.run_sync(check_consent, call, app)
        await to_thread.run_sync(lambda: deps.apps.admin_consent(app, call.tenant_id, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except AppError as err:
        return await _page(call, app, {"problem": str(err)}, 400)
    return back(app, "permissions")
