"""The caller's address in the request context (`RequestContext.client_ip`), read from the ASGI scope's
`client`, which smart lockout and sign-in logs rely on."""

from __future__ import annotations

from starlette.types import Scope

from tenantry.http.context import bind_public_url, scope_context


def _scope(client: object) -> Scope:
    scope: Scope = {"type": "http", "query_string": b"", "headers": [], "client": client}
    bind_public_url(scope, "https://id.example")
    return scope


def test_client_ip_is_the_scope_client_host() -> None:
    assert scope_context(_scope(("127.0.0.2", 51234)), {}).client_ip == "127.0.0.2"


def test_client_ip_is_empty_when_the_server_does_not_know_it() -> None:
    assert scope_context(_scope(None), {}).client_ip == ""
