"""Routes of the user-flow endpoints beside /token: devicecode, userinfo, user-realm discovery."""

from __future__ import annotations

from functools import partial

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.endpoints.devicecode import devicecode_endpoint
from tenantry.protocol.endpoints.userinfo import userinfo_endpoint, userinfo_preflight
from tenantry.protocol.endpoints.userrealm import userrealm_endpoint


def user_flow_routes(deps: ProtocolDeps) -> list[BaseRoute]:
    """The user-flow endpoints, bound to their dependencies."""
    return [
        Route("/{tenant}/oauth2/v2.0/devicecode", partial(devicecode_endpoint, deps), methods=["POST"]),
        Route("/oidc/userinfo", partial(userinfo_endpoint, deps), methods=["GET", "POST"]),
        # After the GET/POST route, so other methods still answer 405 with their `Allow`.
        Route("/oidc/userinfo", userinfo_preflight, methods=["OPTIONS"]),
        Route("/common/userrealm/{upn}", partial(userrealm_endpoint, deps), methods=["GET"]),
    ]
