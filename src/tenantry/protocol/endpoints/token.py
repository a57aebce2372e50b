"""`POST /{tenant}/oauth2/v2.0/token`, with CORS for single-page apps redeeming from the browser."""

from __future__ import annotations

from typing import Any

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.errors import AadstsError
from tenantry.http.body import read_limited_body
from tenantry.http.context import request_context
from tenantry.http.responses import error_response, token_response
from tenantry.protocol.endpoints.cors import allow_cross_origin, preflight_endpoint
from tenantry.protocol.form import check_content_type, parse_form
from tenantry.protocol.token_service import InlineOutcome, TokenCall, TokenService
from tenantry.tokens.mint import PendingSignature, fill_signatures

token_preflight = preflight_endpoint("POST")

# Token work holds the GIL except while signing: a few threads keep both cores busy, while dozens would
# only fight over the GIL (and over pooled connections).
TOKEN_THREADS = CapacityLimiter(3)


async def token_endpoint(request: Request) -> Response:
    """Parse the form and validate on the event loop when the grant allows it (client credentials with a
    warm cache needs no I/O); RSA signing, and every grant that reads or writes storage, run on worker
    threads, where `cryptography` and the database drivers release the GIL."""
    ctx = request_context(request)
    service: TokenService = request.app.state.token_service
    try:
        check_content_type(request.headers.get("content-type"))
        form = parse_form(await read_limited_body(request, request.app.state.settings.max_body_bytes))
        call = TokenCall(
            request.path_params["tenant"],
            form,
            request.headers.get("authorization"),
            ctx.base_url,
            request.headers.get("origin"),
        )
        body = await _finish(service.start(call))
    except AadstsError as err:
        return allow_cross_origin(request, error_response(err, ctx))
    return allow_cross_origin(request, token_response(body, ctx))


async def _finish(outcome: InlineOutcome) -> dict[str, Any]:
    if outcome.remaining is not None:
        return await to_thread.run_sync(outcome.remaining, limiter=TOKEN_THREADS)
    assert outcome.body is not None
    if not outcome.pending:
        return outcome.body
    signed = await to_thread.run_sync(_sign_all, outcome.pending, limiter=TOKEN_THREADS)
    return fill_signatures(outcome.body, signed)


def _sign_all(pending: list[PendingSignature]) -> dict[str, str]:
    return {p.placeholder: p.complete() for p in pending}
