"""`GET /error?code=N`: the AADSTS lookup page, as HTML for people and JSON for scripts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenantry.errors import all_specs, find_spec
from tenantry.errors.render import lookup_document, not_found
from tenantry.http.context import request_context
from tenantry.http.responses import JsonResponse, rendered_response
from tenantry.web.templating import templates

PAGE_HEADERS = {
    "Cache-Control": "public, max-age=3600",
    "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'",
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _parse_code(raw: str) -> int | None:
    text = raw.strip().upper().removeprefix("AADSTS")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def error_lookup(request: Request) -> Response:
    """One code's name, meaning and remedy; a code we do not know is a 404 that says so."""
    ctx = request_context(request)
    raw = request.query_params.get("code")
    if raw is None:
        return templates.TemplateResponse(request, "error_index.html", {"specs": all_specs()}, headers=PAGE_HEADERS)
    code = _parse_code(raw)
    spec = find_spec(code) if code is not None else None
    if spec is None:
        message = f"AADSTS{raw[:20]} is not an error code Tenantry knows."
        if _wants_json(request):
            return rendered_response(not_found(ctx, message, reason="not an AADSTS code we know", key="message"))
        return templates.TemplateResponse(
            request, "error_unknown.html", {"message": message}, status_code=404, headers=PAGE_HEADERS
        )
    document = lookup_document(spec)
    if _wants_json(request):
        return JsonResponse(document, headers=PAGE_HEADERS)
    return templates.TemplateResponse(request, "error_code.html", {"doc": document}, headers=PAGE_HEADERS)


routes = [Route("/error", error_lookup, methods=["GET"])]
