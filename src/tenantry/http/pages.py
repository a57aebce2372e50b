"""HTML answers of the sign-in experience, shared by the STS (error page, form_post, sign-out page) and the
sign-in pages, so every one of them carries the same protective headers.

- `Cache-Control: no-store`: pages hold flow handles and CSRF tokens; Back must not replay them from cache.
- CSP without inline script or style (`script-src 'self'`: the form_post auto-submit is a static file),
  `frame-ancestors 'none'` (clickjacking; the middleware adds `X-Frame-Options: DENY` too).
  No `form-action`: a sign-in form's redirect chain ends at the app's redirect URI, which browsers
  would check against it.
- `Referrer-Policy: no-referrer`: URLs carry flow handles and the app's `state`.

Templates are data under `tenantry/web/templates/` (located as package data, not imported), so the
adapters share them without importing each other.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from tenantry.errors import AadstsError
from tenantry.errors.render import page_fields
from tenantry.http.context import request_context
from tenantry.http.paths import STATIC_PREFIX

SIGN_IN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store, no-cache",
    "Pragma": "no-cache",
    "Content-Security-Policy": SIGN_IN_CSP,
    "Referrer-Policy": "no-referrer",
}

_templates = Jinja2Templates(directory=str(resources.files("tenantry").joinpath("web", "templates")))


def render_page(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> Response:
    """A sign-in page with the protective headers; templates see `static` (the asset prefix) and `ctx`."""
    ctx = request_context(request)
    values = {"static": STATIC_PREFIX, "ctx": ctx, **(context or {})}
    response = _templates.TemplateResponse(request, template, values, status_code=status, headers=PAGE_HEADERS)
    response.headers["x-ms-request-id"] = ctx.trace_id
    return response


def error_page(request: Request, err: AadstsError, context: dict[str, Any] | None = None) -> Response:
    """Entra's sign-in error page: the AADSTS code and message, trace and correlation ids, the timestamp
    and a link to `/error?code=N`; the status is the catalogue's."""
    fields = page_fields(err, request_context(request))
    return render_page(request, "signin/error.html", {"error": fields, **(context or {})}, status=err.spec.http_status)
