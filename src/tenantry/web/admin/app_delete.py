"""App registration > Overview > *Delete*, after a confirmation page.

Graph's `DELETE /applications/{id}`: `CallerRights.check(APP_DELETE, app.id)` (owners may), and
`AppService.delete_application`, which takes the app's credentials, owners and home-tenant service principal
with it (its app role assignments and consents go with the service principal).
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.operations import NotFoundError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.app_tabs import app_call, app_form
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE


async def confirm(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/delete: "Delete app registration?" with Delete and Cancel (only for who may)."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    try:
        call.rights.check(Action.APP_DELETE, app.id)
    except AuthorizationError as err:
        return call.refused(err)
    return call.page("admin/apps/delete_app.html", {"title": "Delete app registration", "app": app})


async def delete(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/delete: sign-ins and token requests for it fail from now on; back to the list."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, _ = found
    try:
        call.rights.check(Action.APP_DELETE, app.id)
        await to_thread.run_sync(lambda: deps.apps.delete_application(app, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except NotFoundError:
        pass  # already gone: the list says so
    return RedirectResponse("/admin/apps", status_code=303, headers=NO_STORE)
