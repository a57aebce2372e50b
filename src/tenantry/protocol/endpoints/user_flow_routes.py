"""Routes of the user-flow endpoints beside /token: devicecode, userinfo, user-realm discovery."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.devicecode import devicecode_endpoint
from tenantry.protocol.endpoints.userinfo import userinfo_endpoint, userinfo_preflight
from tenantry.protocol.endpoints.userrealm import userrealm_endpoint

routes: list[BaseRoute] = [
    Route("/{tenant}/oauth2/v2.0/devicecode", devicecode_endpoint, methods=["POST"]),
    Route("/oidc/userinfo", userinfo_endpoint, methods=["GET", "POST"]),
    # After the GET/POST route, so other methods still answer 405 with their `Allow`.
    Route("/oidc/userinfo", userinfo_preflight, methods=["OPTIONS"]),
    Route("/common/userrealm/{upn}", userrealm_endpoint, methods=["GET"]),
]
