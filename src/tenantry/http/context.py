"""Build the per-request context: trace id, echoed correlation id, and the server's public URL.

The public URL (`create_app(..., public_url=...)`) is the base of the issuer and of every URL we publish,
whatever Host a request names (as Keycloak does with a fixed hostname): a token got through `127.0.0.1`
is then the same as one got through `localhost`, and both are accepted everywhere. msal-node wants the
issuer's origin to be the authority's (msal-compat), so clients are given the public URL as authority.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import Scope

from tenantry.common.context import RequestContext

_STATE_KEY = "tenantry_context"
_PUBLIC_URL_KEY = "tenantry_public_url"


def bind_public_url(scope: Scope, public_url: str) -> None:
    """Called by the outermost middleware (`HttpHardening`, built with the server's public URL) for every
    request, so that the request's context is built without looking anything up on the application."""
    scope.setdefault("state", {})[_PUBLIC_URL_KEY] = public_url


def scope_context(scope: Scope, headers: Mapping[str, str]) -> RequestContext:
    """The context of the request in `scope` (headers already decoded), created once and kept in the
    scope's state, where `request_context` finds it too."""
    state = scope.setdefault("state", {})
    existing = state.get(_STATE_KEY)
    if isinstance(existing, RequestContext):
        return existing
    correlation = headers.get("client-request-id")
    query = scope.get("query_string", b"")
    if correlation is None and b"client-request-id" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        correlation = next((value for name, value in pairs if name == "client-request-id"), None)
    ctx = RequestContext.create(correlation, state[_PUBLIC_URL_KEY], client_ip(scope))
    state[_STATE_KEY] = ctx
    return ctx


def client_ip(scope: Scope) -> str:
    """The caller's address from the ASGI scope's `client` (host, port), "" when the server does not know
    it (a Unix socket, some test clients). uvicorn has already applied `X-Forwarded-For` where it trusts the
    proxy (`proxy_headers` on plain-HTTP listeners, from `forwarded_allow_ips`, 127.0.0.1 by default)."""
    client = scope.get("client")
    if not client:
        return ""
    host = client[0]
    return host if isinstance(host, str) else ""


def request_context(request: Request) -> RequestContext:
    """The context of this request, created once and kept on `request.state`."""
    return scope_context(request.scope, request.headers)
