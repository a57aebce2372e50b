"""App registration > Expose an API (Application ID URIs, delegated scopes) and App roles.

Each change is a change of the application Graph's `PATCH /applications/{id}` makes (`identifierUris`,
`api.oauth2PermissionScopes`, `appRoles`), so it is `CallerRights.check(APP_UPDATE, app.id)`, owners
included. An App ID URI must be free in the tenant and not a first-party one: `AppService.update_application`
runs `check_identifier_uris_free` and raises `IdentifierUriTakenError` with its reason.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import AppError, ApplicationChanges
from tenantry.apps.models import Application
from tenantry.apps.operations import NotFoundError
from tenantry.apps.repository import IdentifierUriTakenError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps

MAX_FIELD = 256
CONSENT_TYPES = {"Admin": "Admins only", "User": "Admins and users"}
MEMBER_TYPES = {"User": "Users/Groups", "Application": "Applications", "Both": "Both (Users/Groups + Applications)"}
PROBLEMS = (AppError, NotFoundError, IdentifierUriTakenError)


def _page(call: AdminCall, app: Application, template: str, extra: dict[str, object], status: int) -> Response:
    tab = "expose" if template.endswith("expose.html") else "roles"
    title = ("Expose an API" if tab == "expose" else "App roles") + f" - {app.display_name}"
    values = {"title": title, "app": app, "tab": tab, "may_update": call.rights.allows(Action.APP_UPDATE, app.id)}
    return call.page(
        template, {**values, "consent_types": CONSENT_TYPES, "member_types": MEMBER_TYPES, **extra}, status=status
    )


def expose_page(
    call: AdminCall, app: Application, extra: dict[str, object] | None = None, status: int = 200
) -> Response:
    """The Expose an API tab."""
    return _page(call, app, "admin/apps/expose.html", {"suggested": f"api://{app.app_id}", **(extra or {})}, status)


def roles_page(
    call: AdminCall, app: Application, extra: dict[str, object] | None = None, status: int = 200
) -> Response:
    """The App roles tab."""
    return _page(call, app, "admin/apps/roles.html", extra or {}, status)


async def show_expose(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/expose."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else expose_page(*found)


async def show_roles(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/roles."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else roles_page(*found)


def _set_uris(call: AdminCall, app: Application, uris: tuple[str, ...]) -> None:
    call.deps.apps.update_application(app, ApplicationChanges(identifier_uris=uris), ctx=call.audit)


async def _change_uris(deps: AdminDeps, request: Request, *, adding: bool) -> Response:
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    uri = fields.get("uri", "").strip()[:MAX_FIELD]
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        if not uri:
            raise AppError("Enter an Application ID URI, such as api://contoso.example/orders.")
        if not adding and uri not in app.identifier_uris:
            raise NotFoundError("That Application ID URI is no longer set.")
        wanted = (*app.identifier_uris, uri) if adding else tuple(u for u in app.identifier_uris if u != uri)
        await to_thread.run_sync(_set_uris, call, app, wanted)
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return expose_page(call, app, {"problem": str(err), "form": fields}, 400)
    return back(app, "expose")


async def add_uri(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/expose/uris: add an Application ID URI (unique in the tenant)."""
    return await _change_uris(deps, request, adding=True)


async def confirm_remove_uri(deps: AdminDeps, request: Request) -> Response:
    """GET …/expose/uris/remove?uri=: "Remove this Application ID URI?" with Remove and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    uri = request.query_params.get("uri", "")[:MAX_FIELD]
    if uri not in app.identifier_uris:
        return expose_page(call, app, {"problem": "That Application ID URI is no longer set."}, 404)
    return call.page(
        "admin/apps/remove_identifier_uri.html", {"title": "Remove Application ID URI", "app": app, "uri": uri}
    )


async def remove_uri(deps: AdminDeps, request: Request) -> Response:
    """POST …/expose/uris/remove."""
    return await _change_uris(deps, request, adding=False)


async def add_scope(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/expose/scopes: *Add a scope* (value, who can consent, display name)."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    value, name = fields.get("value", "").strip()[:MAX_FIELD], fields.get("display_name", "").strip()[:MAX_FIELD]
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        await to_thread.run_sync(
            lambda: deps.apps.add_scope(app, value, fields.get("consent", "Admin"), name, ctx=call.audit)
        )
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return expose_page(call, app, {"problem": str(err), "scope_form": fields}, 400)
    return back(app, "expose")


async def add_role(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/roles: *Create app role* (display name, allowed member types, value)."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    value, name = fields.get("value", "").strip()[:MAX_FIELD], fields.get("display_name", "").strip()[:MAX_FIELD]
    members = fields.get("members", "Application")
    types = ("User", "Application") if members == "Both" else (members,)
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        if members not in MEMBER_TYPES:
            raise AppError("Choose who may be assigned the role.")
        await to_thread.run_sync(lambda: deps.apps.add_app_role(app, value, name, types, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except PROBLEMS as err:
        return roles_page(call, app, {"problem": str(err), "form": fields}, 400)
    return back(app, "roles")
