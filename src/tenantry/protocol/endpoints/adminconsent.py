"""`GET /{tenant}/v2.0/adminconsent?client_id=…&redirect_uri=…&state=…&scope=…` (entra-reference §1.6).

An administrator signs in (or reuses the SSO session) and grants, for the whole tenant, every
permission the app statically requires. Success redirects with `tenant`, `state` and
`admin_consent=True`; a refusal with `error=access_denied` (AADSTS65004); a user who is not an
administrator gets AADSTS90094. client_id and redirect_uri are validated first (error page otherwise).
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.http.cookies import read_session_token
from tenantry.protocol.authorize.response_modes import respond
from tenantry.protocol.endpoints.deps import ProtocolDeps


async def admin_consent_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Validate, then hand over to the sign-in pages; the resume step finishes."""
    outcome = await to_thread.run_sync(
        deps.authorize.start_admin_consent,
        request.path_params["tenant"],
        request.query_params.multi_items(),
        read_session_token(request),
    )
    return respond(request, outcome)
