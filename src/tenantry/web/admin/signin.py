"""Signing in to the admin center through Tenantry's own authorize endpoint (auth code + PKCE, RFC 7636).

`/admin` without a session redirects to `/organizations/oauth2/v2.0/authorize` (the UPN typed on the sign-in
page decides the tenant; an SSO session answers at once). The callback (`/admin/signin`, a redirect URI the
STS derives from the public URL) checks `state`, redeems the code with the PKCE verifier through the token
endpoint's own logic, verifies the access token it got, and makes the admin session from it.

My Account (`/myaccount`) signs in the same way with the same first-party client: a `Portal` names its
landing page, its callback (`/myaccount/signin`, also derived from the public URL) and its cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.first_party import (
    ADMIN_CENTER_APP_ID,
    ADMIN_CENTER_GRAPH_SCOPES,
    ADMIN_CENTER_REDIRECT_PATH,
    MY_ACCOUNT_REDIRECT_PATH,
)
from tenantry.common.ids import b64url
from tenantry.errors import Aadsts, AadstsError
from tenantry.http.context import request_context
from tenantry.tokens.verify import VerifiedAccessToken, verify_access_token
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.session import (
    ADMIN_COOKIES,
    MY_ACCOUNT_COOKIES,
    SIGNIN_SECONDS,
    AdminSession,
    CookieScope,
    PendingSignIn,
    clear_session,
    read_pending,
    write_pending,
    write_session,
)
from tenantry.web.admin.views import NO_STORE, admin_page

AUTHORITY = "organizations"
GRAPH_SCOPE_PREFIX = "https://graph.microsoft.com/"
OIDC = frozenset({"openid", "profile"})
SCOPE = " ".join(s if s in OIDC else GRAPH_SCOPE_PREFIX + s for s in ADMIN_CENTER_GRAPH_SCOPES)


@dataclass(frozen=True, slots=True)
class Portal:
    """A site signed in through the admin center's client: its home, its callback path and its cookies."""

    home: str
    redirect_path: str
    cookies: CookieScope
    name: str  # as its error pages name it ("Open the admin center again")
    error_template: str

    def error(self, request: Request, title: str, message: str, code: str | None = None) -> Response:
        """A failed sign-in on the portal's own error page (400), the AADSTS code in small print."""
        values = {"title": title, "message": message, "code": code, "signed_in": False}
        return admin_page(request, self.error_template, values, status=400)


ADMIN_PORTAL = Portal("/admin", ADMIN_CENTER_REDIRECT_PATH, ADMIN_COOKIES, "the admin center", "admin/error.html")
MY_ACCOUNT_PORTAL = Portal(
    "/myaccount", MY_ACCOUNT_REDIRECT_PATH, MY_ACCOUNT_COOKIES, "My Account", "myaccount/error.html"
)


def _safe_next(path: str, home: str = "/admin") -> str:
    """Only a path of the portal itself (no open redirect)."""
    inside = path == home or path.startswith((home + "/", home + "?"))
    return path if inside and not path.startswith("//") and "\\" not in path else home


def sign_in_redirect(request: Request, deps: AdminDeps, portal: Portal = ADMIN_PORTAL) -> Response:
    """To the authorize endpoint, remembering state, verifier and this page in the sign-in cookie."""
    base = request_context(request).base_url
    verifier = b64url(secrets.token_bytes(32))
    state = b64url(secrets.token_bytes(18))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urlencode(
        {
            "client_id": ADMIN_CENTER_APP_ID,
            "response_type": "code",
            "redirect_uri": base + portal.redirect_path,
            "response_mode": "query",
            "scope": SCOPE,
            "state": state,
            "code_challenge": b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"/{AUTHORITY}/oauth2/v2.0/authorize?{query}", status_code=302, headers=NO_STORE)
    expires = int(deps.clock.now().timestamp()) + SIGNIN_SECONDS
    pending = PendingSignIn(state, verifier, _safe_next(target, portal.home), expires)
    write_pending(response, deps.master_key, pending, portal.cookies)
    return response


def _redeem(deps: AdminDeps, base: str, code: str, verifier: str, redirect_path: str) -> VerifiedAccessToken:
    form = {
        "grant_type": "authorization_code",
        "client_id": ADMIN_CENTER_APP_ID,
        "code": code,
        "redirect_uri": base + redirect_path,
        "code_verifier": verifier,
        "scope": SCOPE,
    }
    body = deps.redeem(form, base)
    token = verify_access_token(
        str(body["access_token"]), deps.published_keys(), base, deps.clock.now(), deps.clock_skew
    )
    if not token.is_user_token or token.client_id != ADMIN_CENTER_APP_ID:
        raise AadstsError.of(Aadsts.InvalidRequest).with_hint("The sign-in did not yield an admin center token.")
    return token


def _session(deps: AdminDeps, token: VerifiedAccessToken) -> AdminSession:
    now = int(deps.clock.now().timestamp())
    expires = min(int(token.claims.get("exp", now)), now + deps.session_minutes * 60)
    return AdminSession(token.tenant_id, token.user_id, tuple(token.scopes), expires, now)


async def callback(deps: AdminDeps, request: Request, portal: Portal = ADMIN_PORTAL) -> Response:
    """GET /admin/signin (or /myaccount/signin): the authorize endpoint's answer; an error comes back as the
    STS sent it."""
    params = request.query_params
    pending = read_pending(request, deps.master_key, deps.clock.now(), portal.cookies)
    if params.get("error"):
        description = (params.get("error_description") or params["error"])[:500]
        return portal.error(request, "Sign-in failed", description)
    if pending is None or not secrets.compare_digest(pending.state, params.get("state", "")):
        return portal.error(request, "Sign-in expired", f"This sign-in is no longer valid. Open {portal.name} again.")
    base = request_context(request).base_url
    try:
        code = params.get("code", "")
        token = await to_thread.run_sync(_redeem, deps, base, code, pending.verifier, portal.redirect_path)
    except AadstsError as err:
        return portal.error(request, "Sign-in failed", err.message, f"AADSTS{err.spec.code}")
    response = RedirectResponse(pending.next_path, status_code=303, headers=NO_STORE)
    write_session(response, deps.master_key, _session(deps, token), deps.clock.now(), portal.cookies)
    return response


def signed_out(portal: Portal = ADMIN_PORTAL) -> Response:
    """After sign-out: the portal's cookie is gone; the STS's logout ends the SSO session too."""
    response = RedirectResponse(f"/{AUTHORITY}/oauth2/v2.0/logout", status_code=303, headers=NO_STORE)
    clear_session(response, portal.cookies)
    return response
