"""App registrations: the list (with search and the credentials status of seed 002) and an app's overview.

Reading needs `microsoft.directory/applications/allProperties/read`, checked with `CallerRights.check` as
Graph's `GET /applications` does.
"""

from __future__ import annotations

from datetime import datetime

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.credentials.status import credential_status
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import admin_error

CURRENT, EXPIRING, EXPIRED = "Current", "Expiring soon", "Expired"
MAX_SEARCH = 100


def portal_status(statuses: list[str]) -> str:
    """The portal's one word for an app's credentials: the worst of them ("" without any)."""
    if not statuses:
        return ""
    if any(s == "expired" for s in statuses):
        return EXPIRED
    if any(s.startswith("expiring") for s in statuses):
        return EXPIRING
    return CURRENT


def word(status: str) -> str:
    """One credential's status in the portal's words."""
    if status == "expired":
        return EXPIRED
    if status.startswith("expiring"):
        return EXPIRING
    return "Not yet valid" if status == "not yet valid" else CURRENT


def app_status(deps: AdminDeps, app: Application, now: datetime) -> str:
    """The credentials status column of one app."""
    secrets, certificates = deps.credentials.list_credentials(app)
    spans = [(s.start, s.end) for s in secrets] + [(c.start, c.end) for c in certificates]
    return portal_status([credential_status(start, end, now) for start, end in spans])


def _matches(app: Application, search: str) -> bool:
    needle = search.lower()
    return not needle or needle in app.display_name.lower() or needle in app.app_id.lower()


def _rows(call: AdminCall, search: str) -> list[tuple[Application, str]]:
    now = call.deps.clock.now()
    apps = [a for a in call.deps.apps.list_apps(call.tenant_id) if _matches(a, search)]
    apps.sort(key=lambda a: a.display_name.lower())
    return [(app, app_status(call.deps, app, now)) for app in apps]


async def list_apps(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps[?search=]: the tenant's app registrations."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    try:
        call.rights.check(Action.APP_READ)
    except AuthorizationError as err:
        return call.refused(err)
    search = request.query_params.get("search", "")[:MAX_SEARCH].strip()
    rows = await to_thread.run_sync(_rows, call, search)
    may_create = call.may(Action.APP_CREATE) and call.may(Action.SP_CREATE)
    values = {"title": "App registrations", "rows": rows, "search": search, "may_create": may_create}
    return call.page("admin/apps/list.html", values)


async def app_of(call: AdminCall, object_id: str) -> Application | Response:
    """The tenant's app named by the path, after the read check; else the 403 or 404 page."""
    try:
        call.rights.check(Action.APP_READ, object_id)
    except AuthorizationError as err:
        return call.refused(err)
    app = await to_thread.run_sync(call.deps.apps.find_application, call.tenant_id, object_id)
    if app is None:
        message = f"No app registration has the object id '{object_id[:64]}' in this tenant."
        title = "App registration not found"
        return admin_error(call.request, title, message, code="Request_ResourceNotFound", status=404)
    return app


async def overview(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}: ids, endpoints and a ready MSAL snippet."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    app = await app_of(call, request.path_params["id"])
    if isinstance(app, Response):
        return app
    authority = f"{call.base_url}/{call.tenant_id}"
    values = {"title": app.display_name, "app": app, "authority": authority, "tab": "overview"}
    values["may_delete"] = call.rights.allows(Action.APP_DELETE, app.id)
    return call.page("admin/apps/overview.html", values)
