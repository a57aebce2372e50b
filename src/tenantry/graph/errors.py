"""Microsoft Graph's error envelope, built here and nowhere else (style: one renderer per error family).

    {"error": {"code": "...", "message": "...", "innerError": {"request-id", "client-request-id", "date"}}}

Graph's codes are strings, distinct from AADSTS numbers: `InvalidAuthenticationToken` (401, with a
`WWW-Authenticate: Bearer` challenge), `Authorization_RequestDenied` (403), `Request_ResourceNotFound`
(404), `Request_BadRequest` (400, also for OData and body validation), `CredentialInvalidLifetimeAsPerAppPolicy`
(400, with `details`, entra-reference §4.7). Nothing a client sends can produce a 500.

Every error answer logs one refusal record (`errors/refusals.py`): status, Graph code, request-id,
client-request-id, and the caller's tenant, client and object id once the token was accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tenantry.common.context import RequestContext
from tenantry.errors.refusals import log_refused
from tenantry.graph.responses import GraphJson, request_ids

log = logging.getLogger("tenantry.graph")

BAD_REQUEST = "Request_BadRequest"
NOT_FOUND = "Request_ResourceNotFound"
DENIED = "Authorization_RequestDenied"
INVALID_TOKEN = "InvalidAuthenticationToken"  # noqa: S105 - an error code, not a credential
CONFLICT = "Request_MultipleObjectsWithSameKeyValue"
UNKNOWN = "UnknownError"


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of `details` (Graph: code, message, target)."""

    code: str
    message: str
    target: str


@dataclass
class GraphError(Exception):
    """An error answer; raise it from a route and the app's handler renders the envelope."""

    status: int
    code: str
    message: str
    details: Sequence[ErrorDetail] = field(default_factory=tuple)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def bad_request(message: str) -> GraphError:
    """400 `Request_BadRequest`."""
    return GraphError(400, BAD_REQUEST, message)


def not_found(object_id: str) -> GraphError:
    """404 `Request_ResourceNotFound`, in Graph's words."""
    return GraphError(
        404,
        NOT_FOUND,
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def denied(message: str) -> GraphError:
    """403 `Authorization_RequestDenied`."""
    return GraphError(403, DENIED, message)


def unauthenticated(message: str) -> GraphError:
    """401 `InvalidAuthenticationToken` with the RFC 6750 challenge."""
    return GraphError(401, INVALID_TOKEN, message, headers={"WWW-Authenticate": "Bearer"})


def error_body(ctx: RequestContext, error: GraphError, now: datetime | None = None) -> dict[str, Any]:
    """The envelope; `innerError.date` is UTC without fraction or zone, as Graph writes it."""
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    inner: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        inner["details"] = [{"code": d.code, "message": d.message, "target": d.target} for d in error.details]
    inner["innerError"] = {"request-id": ctx.trace_id, "client-request-id": ctx.correlation_id, "date": when}
    return {"error": inner}


def error_response(request: Request, error: GraphError) -> Response:
    """Render `error` for this request, with the request-id headers every Graph answer carries; log it."""
    ctx = request_ids(request)
    log_refused(ctx, f"Graph {error.code}", error=error.code, status=error.status)
    return GraphJson(error_body(ctx, error), status_code=error.status, headers={**error.headers})


async def graph_error_handler(request: Request, exc: Exception) -> Response:
    """Exception handler for `GraphError`."""
    assert isinstance(exc, GraphError)
    return error_response(request, exc)


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A bug, never bad input: logged with the request id; the client sees Graph's generic 500."""
    ctx = request_ids(request)
    log.exception("unhandled Graph error, request-id=%s", ctx.trace_id, exc_info=exc)
    return error_response(request, GraphError(500, UNKNOWN, "An internal server error occurred."))
