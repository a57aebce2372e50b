"""Security info and sign-in sessions of the signed-in user.

- Security info lists the user's methods (as Graph's `authentication/methods`: never security-question
  answers) and removes an authenticator app or an e-mail method after a confirmation page, through
  `SecurityInfoService.delete_method` (audited "User deleted security info"). Adding one is the SSPR
  registration page's job (`/securityinfo`, `web/sspr/security_info.py`), reached through
  `/myaccount/security-info/add`: that page reads the browser's SSO session, which a password change ends,
  so without a valid one the user signs in again first (a new SSO session) and then goes on to it.
- "Sign out everywhere" is Graph's `revokeSignInSessions` on oneself (`UserService.revoke_sessions`): every
  refresh token and SSO session from before now stops working, this My Account session included.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.http.cookies import read_session_token
from tenantry.http.paths import SECURITY_INFO_PATH
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.web.admin.signin import MY_ACCOUNT_PORTAL, sign_in_redirect, signed_out
from tenantry.web.admin.views import NO_STORE
from tenantry.web.myaccount.call import AccountCall, account_call, account_error
from tenantry.web.myaccount.deps import MyAccountDeps

# What a user may remove here, and how the page names it.
REMOVABLE = {MethodType.SOFTWARE_OATH: "Authenticator app", MethodType.EMAIL: "Email"}
LABELS = {**REMOVABLE, MethodType.TEMPORARY_ACCESS_PASS: "Temporary Access Pass"}


def _detail(method: AuthMethod) -> str:
    if method.type is MethodType.EMAIL:
        return method.email_address or ""
    return "" if method.type is MethodType.SOFTWARE_OATH else method.display_name


async def methods(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/security-info: the user's methods, each removable one with its *Remove* link."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    found = await to_thread.run_sync(deps.methods.list_methods, call.user)
    rows = [(m, LABELS.get(m.type, str(m.type)), _detail(m), m.type in REMOVABLE) for m in found]
    notice = "Method removed." if request.query_params.get("done") == "removed" else None
    values = {"title": "Security info", "rows": rows, "register": "/myaccount/security-info/add", "notice": notice}
    return call.page("myaccount/security_info.html", values)


async def add(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/security-info/add: on to `/securityinfo` when the SSO session still holds, else a
    sign-in first (the authorize endpoint asks for the password, then this page again)."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    found = await to_thread.run_sync(deps.registration.signed_in, read_session_token(request))
    if found is None or found.user.id != call.user.id:
        return sign_in_redirect(request, deps.admin, MY_ACCOUNT_PORTAL)
    return RedirectResponse(SECURITY_INFO_PATH, status_code=303, headers=NO_STORE)


async def _method(call: AccountCall) -> AuthMethod | Response:
    """The signed-in user's own removable method named in the path (another user's is never found)."""
    method_id = call.request.path_params["id"][:64]
    found = await to_thread.run_sync(call.deps.methods.list_methods, call.user)
    method = next((m for m in found if m.id == method_id and m.type in REMOVABLE), None)
    if method is None:
        message = "You have no method with this id that can be removed here."
        return account_error(call.request, "Method not found", message, code="Request_ResourceNotFound", status=404)
    return method


async def confirm_remove(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/security-info/{id}/remove: what removing it means, and the button."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    method = await _method(call)
    if isinstance(method, Response):
        return method
    values = {"title": f"Remove {REMOVABLE[method.type]}?", "method": method, "label": REMOVABLE[method.type]}
    return call.page("myaccount/remove_method.html", {**values, "detail": _detail(method)})


async def remove(deps: MyAccountDeps, request: Request) -> Response:
    """POST /myaccount/security-info/{id}/remove: the service's deletion of one's own method."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    method = await _method(call)
    if isinstance(method, Response):
        return method
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    user, audit, service = call.user, call.audit, deps.security_info
    await to_thread.run_sync(lambda: service.delete_method(user, method.id, method.type, audit, by_admin=False))
    return RedirectResponse("/myaccount/security-info?done=removed", status_code=303, headers=NO_STORE)


async def sessions(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/sessions: what "Sign out everywhere" does, and its button."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    return call.page("myaccount/sessions.html", {"title": "Sign-in sessions"})


async def revoke(deps: MyAccountDeps, request: Request) -> Response:
    """POST /myaccount/sessions/revoke: `revokeSignInSessions` on oneself, then this browser signs out too."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    user, audit = call.user, call.audit
    await to_thread.run_sync(lambda: deps.users.revoke_sessions(user, ctx=audit))
    return signed_out(MY_ACCOUNT_PORTAL)
