"""The STS path table (Entra's shapes; `{tenant}` is a GUID, a verified domain or an alias), bound to its
dependencies once, when the application is built."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.authorize_routes import authorize_routes
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.endpoints.discovery import (
    instance_discovery_endpoint,
    jwks_endpoint,
    openid_configuration_endpoint,
)
from tenantry.protocol.endpoints.token import TokenEndpoint, token_preflight
from tenantry.protocol.endpoints.user_flow_routes import user_flow_routes

TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a path, not a secret


@dataclass(frozen=True)
class ProtocolRoutes:
    """Every STS route, and the token endpoint's (which the HTTP layer answers before routing)."""

    routes: list[BaseRoute]
    token_route: Route


def build_routes(deps: ProtocolDeps) -> ProtocolRoutes:
    """The STS routes; the token endpoint takes most of the traffic, so it is listed first and handed to
    `HttpHardening(express=...)`."""
    endpoint = TokenEndpoint(
        deps.token_service, deps.signing_pool, deps.token_threads, deps.max_body_bytes, deps.sign_ins
    )
    token_route = Route(TOKEN_PATH, endpoint, methods=["POST"])
    routes: list[BaseRoute] = [
        token_route,
        Route("/common/discovery/instance", instance_discovery_endpoint, methods=["GET"]),
        Route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            partial(openid_configuration_endpoint, deps),
            methods=["GET"],
        ),
        Route("/{tenant}/discovery/v2.0/keys", partial(jwks_endpoint, deps), methods=["GET"]),
        Route("/{tenant}/discovery/keys", partial(jwks_endpoint, deps), methods=["GET"]),
        # Listed after the POST route, so other methods still answer 405 with `Allow: POST`.
        Route(TOKEN_PATH, token_preflight, methods=["OPTIONS"]),
    ]
    return ProtocolRoutes([*routes, *authorize_routes(deps), *user_flow_routes(deps)], token_route)
