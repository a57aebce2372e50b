"""App registration > Certificates & secrets > *Federated credentials*: list, add (issuer, subject, audience,
name, description) and delete after a confirmation page.

A federated credential lets an external issuer's token stand in for a client secret, so every change is
Graph's `federatedIdentityCredentials` rule: `APP_CREDENTIALS` with the privileged-access guard
(`check_management`, as for a secret), through `FederatedCredentialService`, which holds Entra's limits
(20 per app, name unique, issuer and subject unique, one audience).
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.credentials.federated import (
    FederatedCredential,
    FederatedCredentialError,
    FederatedCredentialInput,
    FederatedCredentialService,
)
from tenantry.directory.authorization import AuthorizationError
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.secrets import check_management

DEFAULT_AUDIENCE = "api://AzureADTokenExchange"
TAB = "federated"


def _service(call: AdminCall) -> FederatedCredentialService:
    if call.deps.federated_credentials is None:
        raise FederatedCredentialError("Federated credentials are not served by this admin center.")
    return call.deps.federated_credentials


def _may_manage(call: AdminCall, app: Application) -> bool:
    try:
        check_management(call, app)
    except AuthorizationError:
        return False
    return True


def _values(call: AdminCall, app: Application) -> dict[str, object]:
    return {"credentials": _service(call).list(app), "may_manage": _may_manage(call, app)}


async def _page(
    call: AdminCall, app: Application, extra: dict[str, object] | None = None, status: int = 200
) -> Response:
    values = await to_thread.run_sync(_values, call, app)
    title = f"Federated credentials - {app.display_name}"
    context = {"title": title, "app": app, "tab": TAB, "default_audience": DEFAULT_AUDIENCE, **values, **(extra or {})}
    return call.page("admin/apps/federated.html", context, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/federated."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else await _page(*found)


def _wanted(fields: dict[str, str]) -> FederatedCredentialInput:
    audience = fields.get("audience", "").strip()[:600] or DEFAULT_AUDIENCE
    return FederatedCredentialInput(
        name=fields.get("name", "").strip()[:120],
        issuer=fields.get("issuer", "").strip()[:600],
        subject=fields.get("subject", "").strip()[:600],
        audiences=[audience],
        description=fields.get("description", "").strip()[:600] or None,
    )


async def add(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/federated: *Add credential*."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    try:
        check_management(call, app)
        wanted = _wanted(fields)
        await to_thread.run_sync(lambda: _service(call).add(app, wanted, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except FederatedCredentialError as err:
        return await _page(call, app, {"problem": str(err), "form": fields}, 400)
    return back(app, TAB)


def _find(call: AdminCall, app: Application, credential_id: str) -> FederatedCredential | None:
    return next((c for c in _service(call).list(app) if c.id == credential_id), None)


async def confirm_delete(deps: AdminDeps, request: Request) -> Response:
    """GET …/federated/{credential_id}/delete: "Delete federated credential?" with Delete and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    credential = await to_thread.run_sync(_find, call, app, request.path_params["credential_id"][:64])
    if credential is None:
        return await _page(call, app, {"problem": "That federated credential no longer exists."}, 404)
    values = {"title": "Delete federated credential", "app": app, "credential": credential}
    return call.page("admin/apps/delete_federated.html", values)


async def delete(deps: AdminDeps, request: Request) -> Response:
    """POST …/federated/{credential_id}/delete: its tokens are refused from the next request on."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, _ = found
    credential_id = request.path_params["credential_id"][:64]
    try:
        check_management(call, app)
        await to_thread.run_sync(lambda: _service(call).delete(app, credential_id, ctx=call.audit))
    except AuthorizationError as err:
        return call.refused(err)
    except FederatedCredentialError as err:
        return await _page(call, app, {"problem": str(err)}, 404)
    return back(app, TAB)
