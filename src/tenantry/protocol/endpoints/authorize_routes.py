"""Routes of the interactive endpoints: authorize (and its resume step), logout, admin consent."""

from __future__ import annotations

from functools import partial

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.adminconsent import admin_consent_endpoint
from tenantry.protocol.endpoints.authorize import authorize_endpoint, resume_endpoint
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.endpoints.logout import logout_endpoint


def authorize_routes(deps: ProtocolDeps) -> list[BaseRoute]:
    """The interactive endpoints, bound to their dependencies."""
    return [
        Route("/{tenant}/oauth2/v2.0/authorize", partial(authorize_endpoint, deps), methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/v2.0/authorize/resume", partial(resume_endpoint, deps), methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/logout", partial(logout_endpoint, deps), methods=["GET", "POST"]),
        Route("/{tenant}/v2.0/adminconsent", partial(admin_consent_endpoint, deps), methods=["GET"]),
        Route("/{tenant}/adminconsent", partial(admin_consent_endpoint, deps), methods=["GET"]),
    ]
