"""The writing phase of /authorize: store the authorization code, mint the id_token when one was asked
for, slide the SSO session, and build the reply's parameters (RFC 6749 §4.1.2, OIDC Core §3.3.2.5).

The code is an opaque 256-bit value (`ac.` prefix) stored only as its SHA-256, single use, valid for
ten minutes, bound to the client, the exact redirect URI, the PKCE challenge and the nonce; the code
grant of the token endpoint redeems it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tenantry.common.ids import b64url, new_guid
from tenantry.protocol.authorize.context import AuthorizeRequest
from tenantry.protocol.authorize.signin import SignedIn
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.user_tokens import ID_TOKEN_LIFETIME, client_info
from tenantry.tokens.claims import IdTokenRequest, id_token_claims
from tenantry.tokens.models import AuthorizationCode
from tenantry.tokens.opaque import new_opaque_token, token_hash

CODE_LIFETIME = timedelta(minutes=10)
CODE_PREFIX = "ac."


def c_hash(code: str) -> str:
    """OIDC Core §3.3.2.11: base64url of the left half of SHA-256 of the code."""
    return b64url(hashlib.sha256(code.encode("ascii")).digest()[:16])


def _store_code(request: AuthorizeRequest, signed_in: SignedIn, unit: StsUnit, deps: AuthorizeDeps) -> str:
    now = deps.clock.now()
    code = new_opaque_token(CODE_PREFIX)
    unit.add_authorization_code(
        AuthorizationCode(
            code_hash=token_hash(code),
            family_id=new_guid(),
            tenant_id=signed_in.tenant.id,
            client_id=request.client.app_id,
            user_id=signed_in.user.id,
            session_id=signed_in.session.id,
            redirect_uri=request.redirect_uri,
            scopes=signed_in.scopes.requested,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            auth_time=signed_in.auth_time,
            nonce=request.nonce,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method if request.code_challenge else None,
            spa=request.spa,
        )
    )
    return code


def _id_token(
    request: AuthorizeRequest, signed_in: SignedIn, deps: AuthorizeDeps, base_url: str, code: str | None
) -> str:
    """An id_token from /authorize (implicit or hybrid): `c_hash` binds it to the code it came with."""
    now = int(deps.clock.now().timestamp())
    claims = id_token_claims(
        IdTokenRequest(
            base_url=base_url,
            tenant_id=signed_in.tenant.id,
            client_app_id=request.client.app_id,
            user=signed_in.user,
            subject=deps.subjects.subject(signed_in.tenant.id, signed_in.user.id, request.client.app_id),
            issued_at=now,
            lifetime=ID_TOKEN_LIFETIME,
            nonce=request.nonce,
            session_id=signed_in.session.id,
            auth_time=int(signed_in.auth_time.timestamp()) if request.max_age is not None else None,
            include_email="email" in signed_in.scopes.oidc,
            include_profile="profile" in signed_in.scopes.oidc,
        )
    )
    if code is not None:
        claims["c_hash"] = c_hash(code)
    return deps.minter.sign(claims, version=2)


def issue_reply(
    request: AuthorizeRequest, signed_in: SignedIn, unit: StsUnit, deps: AuthorizeDeps, base_url: str
) -> dict[str, str]:
    """Write the code and return the reply parameters in Entra's order: code, id_token, client_info,
    state (echoed exactly), session_state (the session id, also the tokens' `sid`)."""
    params: dict[str, str] = {}
    code = _store_code(request, signed_in, unit, deps) if "code" in request.response_types else None
    if code is not None:
        params["code"] = code
    if "id_token" in request.response_types:
        params["id_token"] = _id_token(request, signed_in, deps, base_url, code)
    if request.wants_client_info:
        params["client_info"] = client_info(signed_in.user)
    if request.state is not None:
        params["state"] = request.state
    params["session_state"] = signed_in.session.id
    deps.sessions.touch(signed_in.session.id, unit)
    return params
