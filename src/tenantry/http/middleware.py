"""Cross-cutting HTTP behaviour: `//` folding, security headers, and errors that never leak a stack trace."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.errors import Aadsts, AadstsError
from tenantry.errors.render import not_found
from tenantry.http.context import bind_public_url, request_context
from tenantry.http.responses import error_response, rendered_response

log = logging.getLogger("tenantry.http")
_SLASHES = re.compile(r"/{2,}")


_BASE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"))
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class HttpHardening:
    """One pass over every request (one middleware layer, not two, on the hot path):

    - bind the server's public URL to the request, for its context (trace id, correlation id, base URL);
    - fold `//` into `/`: MSAL keeps an authority's trailing slash and asks for `/tenant//v2.0/…`;
    - add the headers every answer carries: no MIME sniffing, no framing, HSTS over TLS;
    - answer the `express` routes (the token endpoint) directly, without going through the router
      and the exception middleware: those routes handle their own errors, and anything unexpected
      still reaches the server-error handler outside this layer.
    """

    def __init__(self, app: ASGIApp, public_url: str, express: Sequence[Route] = ()) -> None:
        self.app = app
        self.public_url = public_url
        self.express = tuple(express)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the path, then decorate the response start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bind_public_url(scope, self.public_url)
        if "//" in scope["path"]:
            scope = dict(scope)
            scope["path"] = _SLASHES.sub("/", scope["path"])
            scope["raw_path"] = scope["path"].encode("utf-8")
        extra = (*_BASE_HEADERS, _HSTS) if scope.get("scheme") == "https" else _BASE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        for route in self.express:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:  # path and method both match: what `Route.handle` would call
                await route.app({**scope, **child_scope}, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer in JSON, never as HTML or a 500."""
    assert isinstance(exc, HTTPException)
    ctx = request_context(request)
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        err = AadstsError.of(Aadsts.BadResourceRequestInvalidRequest, method=request.method, endpoint=request.url.path)
        response = error_response(err.with_hint(f"Allowed: {allowed}.") if allowed else err, ctx)
        if allowed:
            response.headers["Allow"] = allowed
        return response
    description = f"No endpoint at {request.url.path}."
    return rendered_response(not_found(ctx, description, reason="no endpoint at this path", status=exc.status_code))


async def unexpected_exception(request: Request, exc: Exception) -> Response:
    """Log with the trace id for operators; the client sees only the catalogue's generic server error."""
    ctx = request_context(request)
    ids = {"trace_id": ctx.trace_id, "correlation_id": ctx.correlation_id}
    log.exception("unhandled error in request %s", ctx.trace_id, exc_info=exc, extra=ids)
    debug = f"unhandled {type(exc).__name__}: see the error logged with this trace id"
    return error_response(AadstsError.of(Aadsts.TokenIssuanceError, debug=debug), ctx)
