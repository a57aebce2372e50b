"""`GET|POST /{tenant}/oauth2/v2.0/logout` (OIDC RP-Initiated Logout 1.0; entra-reference §1.6).

Ends the browser's SSO session (revoked server-side, both cookies expired), then goes back to
`post_logout_redirect_uri` with `state` when that URI is registered on the app — as any of its redirect
URIs, of any platform. The app is the one named by `client_id`, else the audience of `id_token_hint`
(only used to choose whose URIs to compare, so it need not be verified: the target is registered
either way), else any app of the tenant. An unregistered URI is not followed: the signed-out page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.common.ids import is_guid
from tenantry.errors import AadstsError
from tenantry.http.cookies import clear_session_cookies, read_session_token
from tenantry.http.pages import error_page, render_page
from tenantry.protocol.authorize.redirect_uris import is_loopback_match, registered_uris
from tenantry.protocol.authorize.response_modes import redirect
from tenantry.protocol.endpoints.authorize import form_pairs
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantRef, resolve_tenant
from tenantry.tokens.jws import JwsFormatError, parse_compact_jws

LOGOUT_PARAMETERS = frozenset({"post_logout_redirect_uri", "state", "client_id", "id_token_hint", "logout_hint"})


def hinted_client(id_token_hint: str | None) -> str | None:
    """The `aud` of an id_token hint, if it looks like one (its signature is not checked: a hint only
    narrows which app's post-logout URIs count, and the URI must still be registered)."""
    try:
        claims = parse_compact_jws(id_token_hint or "").claims
    except JwsFormatError:
        return None
    aud = claims.get("aud")
    return aud if isinstance(aud, str) else None


def candidate_apps(
    params: Mapping[str, str], ref: TenantRef, tenant_id: str | None, unit: StsUnit
) -> list[Application]:
    """The apps whose redirect URIs count as registered for this sign-out."""
    client_id = params.get("client_id") or hinted_client(params.get("id_token_hint"))
    if client_id:
        app = unit.find_application_by_app_id(client_id.lower()) if is_guid(client_id) else None
        return [app] if app else []
    tenant = ref.tenant.id if ref.tenant else tenant_id
    return unit.list_applications(tenant) if tenant else []


def is_registered(uri: str, apps: list[Application]) -> bool:
    """Exact match with any redirect URI of any platform (loopback ports aside, RFC 8252 §7.3)."""
    return any(uri == r or is_loopback_match(r, uri) for app in apps for r in registered_uris(app))


def sign_out(deps: ProtocolDeps, segment: str, params: Mapping[str, str], token: str | None) -> str | None:
    """Revoke the session; return where to send the browser (None: show the signed-out page)."""
    sessions = deps.sessions
    with deps.store.transaction(write=True) as unit:
        ref = resolve_tenant(segment, unit)
        session = sessions.find(token, unit)
        if session is not None:
            sessions.revoke(session.id, unit)
        uri = params.get("post_logout_redirect_uri")
        if not uri or not is_registered(uri, candidate_apps(params, ref, session.tenant_id if session else None, unit)):
            return None
    state = params.get("state")
    if state is None:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode({'state': state})}"


async def logout_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Sign out and clear the cookies, whatever else happens."""
    try:
        if request.method == "POST":
            pairs = await form_pairs(request, deps.max_body_bytes)
        else:
            pairs = request.query_params.multi_items()
        params = {k: v for k, v in pairs if k in LOGOUT_PARAMETERS and v and "\x00" not in v}
        target = await to_thread.run_sync(
            sign_out, deps, request.path_params["tenant"], params, read_session_token(request)
        )
    except AadstsError as err:
        response = error_page(request, err)
    else:
        response = redirect(request, target) if target else render_page(request, "signin/signed_out.html")
    clear_session_cookies(response)
    return response
