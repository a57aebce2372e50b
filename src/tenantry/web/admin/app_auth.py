"""App registration > Authentication: platforms (web, single-page application, mobile and desktop) with
their redirect URIs, and *Allow public client flows* (`isFallbackPublicClient`).

Each change is Graph's `PATCH /applications/{id}` on `web.redirectUris`, `spa.redirectUris`,
`publicClient.redirectUris` or `isFallbackPublicClient`: `CallerRights.check(APP_UPDATE, app.id)` (owners
may), and `AppService.update_application`, whose `check_redirect_uri` holds Entra's scheme rules.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import PLATFORMS, AppError, ApplicationChanges
from tenantry.apps.models import Application
from tenantry.apps.operations import NotFoundError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps

MAX_URI = 256
PLATFORM_NAMES = {"web": "Web", "spa": "Single-page application", "public": "Mobile and desktop applications"}
FIELDS = {"web": "web_redirect_uris", "spa": "spa_redirect_uris", "public": "public_client_redirect_uris"}


def uris_of(app: Application, platform: str) -> tuple[str, ...]:
    """The redirect URIs of one platform."""
    uris: tuple[str, ...] = getattr(app, FIELDS[platform])
    return uris


def _page(call: AdminCall, app: Application, problem: str | None = None, status: int = 200) -> Response:
    platforms = [(p, PLATFORM_NAMES[p], uris_of(app, p)) for p in PLATFORMS]
    values = {
        "title": f"Authentication - {app.display_name}",
        "app": app,
        "tab": "authentication",
        "platforms": platforms,
        "platform_names": PLATFORM_NAMES,
        "may_update": call.rights.allows(Action.APP_UPDATE, app.id),
        "problem": problem,
    }
    return call.page("admin/apps/authentication.html", values, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/authentication."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else _page(*found)


def _update(call: AdminCall, app: Application, platform: str, uris: tuple[str, ...]) -> None:
    if platform == "web":
        changes = ApplicationChanges(web_redirect_uris=uris)
    elif platform == "spa":
        changes = ApplicationChanges(spa_redirect_uris=uris)
    else:
        changes = ApplicationChanges(public_client_redirect_uris=uris)
    call.deps.apps.update_application(app, changes, ctx=call.audit)


async def _change(deps: AdminDeps, request: Request, *, adding: bool) -> Response:
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    platform, uri = fields.get("platform", ""), fields.get("uri", "").strip()[:MAX_URI]
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        if platform not in PLATFORMS or not uri:
            raise AppError("Choose a platform and enter a redirect URI.")
        current = uris_of(app, platform)
        if not adding and uri not in current:
            raise NotFoundError("That redirect URI is no longer registered.")
        wanted = (*current, uri) if adding else tuple(u for u in current if u != uri)
        await to_thread.run_sync(_update, call, app, platform, wanted)
    except AuthorizationError as err:
        return call.refused(err)
    except (AppError, NotFoundError) as err:
        return _page(call, app, str(err), 400)
    return back(app, "authentication")


async def add_uri(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/authentication/uris: *Add URI* to a platform."""
    return await _change(deps, request, adding=True)


async def confirm_remove(deps: AdminDeps, request: Request) -> Response:
    """GET …/authentication/remove?platform=&uri=: "Remove this redirect URI?" with Remove and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    platform, uri = request.query_params.get("platform", ""), request.query_params.get("uri", "")[:MAX_URI]
    if platform not in PLATFORMS or uri not in uris_of(app, platform):
        return _page(call, app, "That redirect URI is no longer registered.", 404)
    values = {
        "title": "Remove redirect URI",
        "app": app,
        "platform": platform,
        "uri": uri,
        "platform_name": PLATFORM_NAMES[platform],
    }
    return call.page("admin/apps/remove_uri.html", values)


async def remove_uri(deps: AdminDeps, request: Request) -> Response:
    """POST …/authentication/remove: the URI goes; sign-ins sending it then get AADSTS50011."""
    return await _change(deps, request, adding=False)


async def public_client(deps: AdminDeps, request: Request) -> Response:
    """POST …/authentication/public-client: *Allow public client flows* Yes or No."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    allow = fields.get("allow") == "yes"
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
    except AuthorizationError as err:
        return call.refused(err)
    changes = ApplicationChanges(is_fallback_public_client=allow)
    await to_thread.run_sync(lambda: deps.apps.update_application(app, changes, ctx=call.audit))
    return back(app, "authentication")
