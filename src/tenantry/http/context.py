"""Build the per-request context: trace id, echoed correlation id, and the base URL the client used."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import Scope

from tenantry.common.context import RequestContext

_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$")
_STATE_KEY = "tenantry_context"


def base_url_for(host: str, scheme: str, public_url: str | None, fallback: str) -> str:
    """The configured public URL, else scheme and Host of the request when the Host is well-formed.

    Entra answers on the host that was called (its `error_uri` does); an issuer must match the
    authority's origin for msal-node, so the Host is honoured — but only a syntactically valid one.
    """
    if public_url:
        return public_url
    if not _HOST.fullmatch(host):
        return fallback
    return f"{scheme}://{host.lower()}"


def base_url(request: Request, public_url: str | None, fallback: str) -> str:
    """`base_url_for` the Host and scheme of a Starlette request."""
    return base_url_for(request.headers.get("host", ""), request.scope.get("scheme", "https"), public_url, fallback)


def scope_context(scope: Scope, headers: Mapping[str, str]) -> RequestContext:
    """The context of the request in `scope` (headers already decoded), created once and kept in the
    scope's state, where `request_context` finds it too."""
    state = scope.setdefault("state", {})
    existing = state.get(_STATE_KEY)
    if isinstance(existing, RequestContext):
        return existing
    app_state = scope["app"].state
    correlation = headers.get("client-request-id")
    query = scope.get("query_string", b"")
    if correlation is None and b"client-request-id" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        correlation = next((value for name, value in pairs if name == "client-request-id"), None)
    host, scheme = headers.get("host", ""), scope.get("scheme", "https")
    ctx = RequestContext.create(
        correlation, base_url_for(host, scheme, app_state.settings.public_url, app_state.fallback_base_url)
    )
    state[_STATE_KEY] = ctx
    return ctx


def request_context(request: Request) -> RequestContext:
    """The context of this request, created once and kept on `request.state`."""
    return scope_context(request.scope, request.headers)
