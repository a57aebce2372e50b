"""Build the per-request context: trace id, echoed correlation id, and the base URL the client used."""

from __future__ import annotations

import re

from starlette.requests import Request

from tenantry.common.context import RequestContext

_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$")


def base_url(request: Request, public_url: str | None, fallback: str) -> str:
    """The configured public URL, else scheme and Host of the request when the Host is well-formed.

    Entra answers on the host that was called (its `error_uri` does); an issuer must match the
    authority's origin for msal-node, so the Host is honoured — but only a syntactically valid one.
    """
    if public_url:
        return public_url
    host = request.headers.get("host", "")
    if not _HOST.fullmatch(host):
        return fallback
    return f"{request.scope.get('scheme', 'https')}://{host.lower()}"


def request_context(request: Request) -> RequestContext:
    """The context of this request, created once and kept on `request.state`."""
    existing = getattr(request.state, "tenantry_context", None)
    if isinstance(existing, RequestContext):
        return existing
    settings = request.app.state.settings
    correlation = request.headers.get("client-request-id")
    if correlation is None and b"client-request-id" in request.scope.get("query_string", b""):
        correlation = request.query_params.get("client-request-id")
    ctx = RequestContext.create(
        correlation, base_url(request, settings.public_url, request.app.state.fallback_base_url)
    )
    request.state.tenantry_context = ctx
    return ctx
