"""What the app registration tabs (Authentication, Owners, API permissions) share: the app of the path
with its read check, the CSRF-checked form, and the 303 back to the tab after a change.

Every write calls the same `CallerRights` check as Graph's route for the same change: `PATCH /applications`
(`APP_UPDATE`, owners included) for platforms and permissions, `owners/$ref` for owners.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.models import Application
from tenantry.web.admin.apps import app_of
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE


async def app_call(deps: AdminDeps, request: Request) -> tuple[AdminCall, Application] | Response:
    """The administrator and the app of the path (after `APP_READ`), or the page instead."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    app = await app_of(call, request.path_params["id"])
    return app if isinstance(app, Response) else (call, app)


async def app_form(deps: AdminDeps, request: Request) -> tuple[AdminCall, Application, dict[str, str]] | Response:
    """`app_call` and the posted fields after the CSRF check."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    fields = await call.form()
    return fields if isinstance(fields, Response) else (call, app, fields)


def back(app: Application, tab: str) -> Response:
    """303 to the tab (post/redirect/get: a reload never posts again)."""
    return RedirectResponse(f"/admin/apps/{app.id}/{tab}", status_code=303, headers=NO_STORE)
