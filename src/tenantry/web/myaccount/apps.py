"""Apps the signed-in user consented to (their own `oAuth2PermissionGrant`s): the list, and withdrawing one
after a confirmation page through `UserConsentService.revoke_consent`, which finds only the user's own grants
and audits "Remove delegated permission grant". Consent an administrator gave for everyone is not listed:
only an administrator can withdraw it.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.user_consent import ConsentedApp
from tenantry.web.admin.views import NO_STORE
from tenantry.web.myaccount.call import AccountCall, account_call, account_error
from tenantry.web.myaccount.deps import MyAccountDeps


async def list_apps(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/apps: each app, the API it reaches and the permissions given."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    rows = await to_thread.run_sync(deps.consents.list_consents, call.user)
    notice = "Permissions revoked." if request.query_params.get("done") == "revoked" else None
    return call.page("myaccount/apps.html", {"title": "Apps", "rows": rows, "notice": notice})


async def _grant(call: AccountCall) -> ConsentedApp | Response:
    grant_id = call.request.path_params["id"][:64]
    rows = await to_thread.run_sync(call.deps.consents.list_consents, call.user)
    found = next((r for r in rows if r.grant_id == grant_id), None)
    if found is None:
        message = "You have not consented to an app with this id."
        return account_error(call.request, "Consent not found", message, code="Request_ResourceNotFound", status=404)
    return found


async def confirm_revoke(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/apps/{id}/revoke: what revoking means, and the button."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    grant = await _grant(call)
    if isinstance(grant, Response):
        return grant
    return call.page(
        "myaccount/revoke_app.html", {"title": f"Revoke permissions of {grant.client_name}?", "app": grant}
    )


async def revoke(deps: MyAccountDeps, request: Request) -> Response:
    """POST /myaccount/apps/{id}/revoke: the grant goes; the app asks for consent at its next sign-in."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    user, audit, grant_id = call.user, call.audit, request.path_params["id"][:64]
    if not await to_thread.run_sync(lambda: deps.consents.revoke_consent(user, grant_id, audit)):
        message = "You have not consented to an app with this id."
        return account_error(request, "Consent not found", message, code="Request_ResourceNotFound", status=404)
    return RedirectResponse("/myaccount/apps?done=revoked", status_code=303, headers=NO_STORE)
