"""`GET|POST /{tenant}/oauth2/v2.0/authorize` and `GET /{tenant}/oauth2/v2.0/authorize/resume`.

Thin handlers: read the parameters and the SSO cookie, run `AuthorizeService` in a worker thread (it
reads the database and signs tokens), and render its outcome in the requested response mode.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.errors import Aadsts, AadstsError
from tenantry.http.body import read_limited_body
from tenantry.http.context import request_context
from tenantry.http.cookies import read_session_token
from tenantry.http.pages import error_page
from tenantry.protocol.authorize.response_modes import respond
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.form import check_content_type


async def form_pairs(request: Request, max_body_bytes: int) -> list[tuple[str, str]]:
    """A form-encoded body's parameters (authorize and admin consent accept POST as well as GET)."""
    check_content_type(request.headers.get("content-type"))
    body = await read_limited_body(request, max_body_bytes)
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter, parameter="body", hint="The body is not valid UTF-8."
        ) from exc


async def authorize_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """OIDC Core §3.1.2.1: parameters in the query (GET) or a form body (POST)."""
    try:
        if request.method == "POST":
            pairs = await form_pairs(request, deps.max_body_bytes)
        else:
            pairs = request.query_params.multi_items()
    except AadstsError as err:
        return error_page(request, err)
    outcome = await to_thread.run_sync(
        deps.authorize.authorize,
        request.path_params["tenant"],
        pairs,
        read_session_token(request),
        request_context(request).base_url,
        request_context(request).client_ip,
    )
    return respond(request, outcome)


async def resume_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Where the sign-in pages send the browser back: issue the code, ask consent, or answer the error."""
    outcome = await to_thread.run_sync(
        deps.authorize.resume,
        request.path_params["tenant"],
        request.query_params.get("flow"),
        read_session_token(request),
        request_context(request),
    )
    return respond(request, outcome)
