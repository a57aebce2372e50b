"""The STS path table (Entra's shapes; `{tenant}` is a GUID, a verified domain or an alias)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.authorize_routes import routes as authorize_routes
from tenantry.protocol.endpoints.discovery import (
    instance_discovery_endpoint,
    jwks_endpoint,
    openid_configuration_endpoint,
)
from tenantry.protocol.endpoints.token import token_endpoint, token_preflight
from tenantry.protocol.endpoints.user_flow_routes import routes as user_flow_routes

# The token endpoint takes most of the traffic: it is tried first, and the HTTP layer may answer it
# before routing (`HttpHardening(express=...)`).
token_route = Route("/{tenant}/oauth2/v2.0/token", token_endpoint, methods=["POST"])

routes: list[BaseRoute] = [
    token_route,
    Route("/common/discovery/instance", instance_discovery_endpoint, methods=["GET"]),
    Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration_endpoint, methods=["GET"]),
    Route("/{tenant}/discovery/v2.0/keys", jwks_endpoint, methods=["GET"]),
    Route("/{tenant}/discovery/keys", jwks_endpoint, methods=["GET"]),
    # Listed after the POST route, so other methods still answer 405 with `Allow: POST`.
    Route("/{tenant}/oauth2/v2.0/token", token_preflight, methods=["OPTIONS"]),
]
routes += authorize_routes + user_flow_routes
