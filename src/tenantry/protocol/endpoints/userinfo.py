"""`GET|POST /oidc/userinfo` (OIDC Core §5.3): the signed-in user's claims, for a Microsoft Graph token.

Entra's v2 UserInfo lives on Graph and takes an access token *for Graph* (any delegated Graph token,
as MSAL gets with `openid profile`); ours takes the same tokens, verified like on-behalf-of
assertions. The answer has `sub` — the pairwise subject of the app the token was issued to (`azp` /
`appid`), so it equals that app's id_token `sub` — `name`, `preferred_username`, and `email` when the
user has one (no `family_name` / `given_name`: the directory keeps no such names). A missing, invalid,
expired or non-Graph token is 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.common.context import RequestContext
from tenantry.errors import AadstsError
from tenantry.errors.render import bearer_error
from tenantry.http.context import request_context
from tenantry.http.responses import NO_STORE, JsonResponse, rendered_response
from tenantry.protocol.endpoints.cors import allow_cross_origin, preflight_endpoint
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.resources import FIRST_PARTY_URIS
from tenantry.tokens.verify import verify_access_token

GRAPH_AUDIENCES = frozenset({GRAPH_APP_ID, GRAPH_URI, *FIRST_PARTY_URIS})

userinfo_preflight = preflight_endpoint("GET, POST")


class InvalidBearerTokenError(Exception):
    """The bearer token cannot be used here; the message is safe to show the client."""


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), else None."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def userinfo_claims(deps: ProtocolDeps, token: str, base_url: str) -> dict[str, Any]:
    """Verify the token (ours, unexpired, for Graph, a user's) and describe its user."""
    try:
        verified = verify_access_token(token, deps.published_keys(), base_url, deps.clock.now(), deps.clock_skew)
    except AadstsError as err:
        raise InvalidBearerTokenError(err.message) from err
    if not any(aud.rstrip("/").lower() in GRAPH_AUDIENCES for aud in verified.audiences):
        raise InvalidBearerTokenError("The access token is not for Microsoft Graph.")
    if not verified.is_user_token or not verified.client_id:
        raise InvalidBearerTokenError("The access token was not issued to a user.")
    with deps.store.transaction() as unit:
        user = unit.find_user(verified.tenant_id, verified.user_id)
    if user is None or not user.account_enabled:
        raise InvalidBearerTokenError("The user of the access token cannot sign in.")
    claims: dict[str, Any] = {
        "sub": deps.subjects.subject(verified.tenant_id, user.id, verified.client_id),
        "name": user.display_name,
        "preferred_username": user.user_principal_name,
    }
    if user.mail:
        claims["email"] = user.mail
    return claims


def _unauthorized(ctx: RequestContext, description: str, *, token_sent: bool) -> JsonResponse:
    return rendered_response(bearer_error(ctx, description, token_sent=token_sent))


async def userinfo_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Answer with the user's claims, or 401 with a Bearer challenge."""
    ctx = request_context(request)
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return allow_cross_origin(request, _unauthorized(ctx, "No access token was sent.", token_sent=False))
    try:
        claims = await to_thread.run_sync(userinfo_claims, deps, token, ctx.base_url)
    except InvalidBearerTokenError as exc:
        return allow_cross_origin(request, _unauthorized(ctx, str(exc), token_sent=True))
    return allow_cross_origin(request, JsonResponse(claims, headers={**NO_STORE, "x-ms-request-id": ctx.trace_id}))
