"""App registrations > *New registration*: a name, the supported account types and an optional web
redirect URI; the creator becomes the first owner.

Graph's `POST /applications` is `APP_CREATE`; as the portal does, the service principal is made with the
app (`create_application`'s portal path), so creating also needs `SP_CREATE`, Graph's right for
`POST /servicePrincipals`.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.changes import AppError, ApplicationChanges
from tenantry.apps.models import Application, SignInAudience
from tenantry.apps.repository import IdentifierUriTakenError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE

MAX_FIELD = 256
AUDIENCES = {
    SignInAudience.MY_ORG.value: "Accounts in this organizational directory only (single tenant)",
    SignInAudience.MULTIPLE_ORGS.value: "Accounts in any organizational directory (multitenant)",
}


def _check(call: AdminCall) -> None:
    call.rights.check(Action.APP_CREATE)
    call.rights.check(Action.SP_CREATE)


def _form(call: AdminCall, extra: dict[str, object] | None = None, status: int = 200) -> Response:
    values = {"title": "Register an application", "audiences": AUDIENCES, **(extra or {})}
    return call.page("admin/apps/new.html", values, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/new."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    try:
        _check(call)
    except AuthorizationError as err:
        return call.refused(err)
    return _form(call)


def _create(call: AdminCall, fields: dict[str, str]) -> Application:
    audience = fields.get("audience", SignInAudience.MY_ORG.value)
    if audience not in AUDIENCES:
        raise AppError("Choose who can use this application.")
    uri = fields.get("redirect_uri", "").strip()[:MAX_FIELD]
    changes = ApplicationChanges(
        display_name=fields.get("name", "").strip()[:MAX_FIELD],
        sign_in_audience=SignInAudience(audience),
        web_redirect_uris=(uri,) if uri else (),
    )
    owner = call.deps.roles.find_principal(call.tenant_id, call.user.id)
    return call.deps.apps.create_application(call.tenant_id, changes, ctx=call.audit, owner=owner)


async def create(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/new: *Register*; on to the new app's overview (303)."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        _check(call)
        app = await to_thread.run_sync(_create, call, fields)
    except AuthorizationError as err:
        return call.refused(err)
    except (AppError, IdentifierUriTakenError) as err:
        return _form(call, {"problem": str(err), "form": fields}, 400)
    return RedirectResponse(f"/admin/apps/{app.id}", status_code=303, headers=NO_STORE)
