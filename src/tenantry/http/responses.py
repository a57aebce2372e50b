"""JSON responses with the content type and cache headers Microsoft's clients expect."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tenantry.common.compact_json import compact_json
from tenantry.common.context import RequestContext
from tenantry.errors import AadstsError
from tenantry.errors.render import JSON_CONTENT_TYPE, NO_STORE, RenderedError, render_json

__all__ = ["NO_STORE", "JsonResponse", "error_response", "rendered_response", "token_response"]


class JsonResponse(Response):
    """`application/json; charset=utf-8` on every JSON answer, errors and 404s included."""

    media_type = JSON_CONTENT_TYPE

    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON."""
        return compact_json(content)


def error_response(err: AadstsError, ctx: RequestContext) -> JsonResponse:
    """An AADSTS error in Entra's JSON shape."""
    return rendered_response(render_json(err, ctx))


def rendered_response(rendered: RenderedError) -> JsonResponse:
    """Any error `errors/render.py` built (AADSTS, not found, bearer challenge) as a JSON response."""
    return JsonResponse(rendered.body, status_code=rendered.status, headers=rendered.headers)


def token_response(body: dict[str, Any], ctx: RequestContext) -> JsonResponse:
    """A token response: never cached (RFC 6749 §5.1)."""
    return JsonResponse(body, headers={**NO_STORE, "x-ms-request-id": ctx.trace_id})
