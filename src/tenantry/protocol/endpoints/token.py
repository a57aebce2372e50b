"""`POST /{tenant}/oauth2/v2.0/token`, with CORS for single-page apps redeeming from the browser."""

from __future__ import annotations

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.errors import AadstsError
from tenantry.http.body import read_limited_body
from tenantry.http.context import request_context
from tenantry.http.responses import error_response, token_response
from tenantry.protocol.endpoints.cors import allow_cross_origin, preflight_endpoint
from tenantry.protocol.form import check_content_type, parse_form
from tenantry.protocol.token_service import TokenService

token_preflight = preflight_endpoint("POST")

# Token work holds the GIL except while signing: a few threads keep both cores busy, while dozens would
# only fight over the GIL (and over pooled connections).
TOKEN_THREADS = CapacityLimiter(3)


async def token_endpoint(request: Request) -> Response:
    """Parse the form here; run validation, signing and storage in a worker thread (they release the GIL)."""
    ctx = request_context(request)
    service: TokenService = request.app.state.token_service
    try:
        check_content_type(request.headers.get("content-type"))
        form = parse_form(await read_limited_body(request, request.app.state.settings.max_body_bytes))
        body = await to_thread.run_sync(
            service.handle,
            request.path_params["tenant"],
            form,
            request.headers.get("authorization"),
            ctx.base_url,
            request.headers.get("origin"),
            limiter=TOKEN_THREADS,
        )
    except AadstsError as err:
        return allow_cross_origin(request, error_response(err, ctx))
    return allow_cross_origin(request, token_response(body, ctx))
