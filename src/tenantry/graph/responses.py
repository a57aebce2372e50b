"""What every Graph answer shares: Graph's JSON media type and the `request-id` / `client-request-id` pair.

Graph echoes a caller's `client-request-id` (and makes one when none is sent) and names its own
`request-id`; both appear as headers on every answer and inside every error's `innerError`, and the
client's id becomes the audit log's `correlationId`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.common.compact_json import compact_json
from tenantry.common.context import RequestContext

GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
_STATE_KEY = "graph_request_ids"


class GraphJson(JSONResponse):
    """JSON in Graph's media type; non-ASCII stays UTF-8 as Graph sends it."""

    media_type = GRAPH_JSON

    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON."""
        return compact_json(content)


def _context_of(scope: Scope) -> RequestContext:
    state = scope.setdefault("state", {})
    existing = state.get(_STATE_KEY)
    if isinstance(existing, RequestContext):
        return existing
    headers = dict(scope.get("headers") or ())
    client_id = headers.get(b"client-request-id", b"").decode("latin-1") or None
    ctx = RequestContext.create(client_id, "")
    state[_STATE_KEY] = ctx
    return ctx


def request_ids(request: Request) -> RequestContext:
    """This request's ids: `trace_id` is Graph's `request-id`, `correlation_id` its `client-request-id`."""
    return _context_of(request.scope)


class RequestIds:
    """ASGI middleware: fix the ids when the request arrives and put them on the response's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add `request-id` and `client-request-id` to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = _context_of(scope)
        extra = [
            (b"request-id", ctx.trace_id.encode("ascii")),
            (b"client-request-id", ctx.correlation_id.encode("ascii")),
        ]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_ids)
