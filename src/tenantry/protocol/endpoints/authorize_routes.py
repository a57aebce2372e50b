"""Routes of the interactive endpoints: authorize (and its resume step), logout, admin consent."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenantry.protocol.endpoints.adminconsent import admin_consent_endpoint
from tenantry.protocol.endpoints.authorize import authorize_endpoint, resume_endpoint
from tenantry.protocol.endpoints.logout import logout_endpoint

routes: list[BaseRoute] = [
    Route("/{tenant}/oauth2/v2.0/authorize", authorize_endpoint, methods=["GET", "POST"]),
    Route("/{tenant}/oauth2/v2.0/authorize/resume", resume_endpoint, methods=["GET"]),
    Route("/{tenant}/oauth2/v2.0/logout", logout_endpoint, methods=["GET", "POST"]),
    Route("/{tenant}/v2.0/adminconsent", admin_consent_endpoint, methods=["GET"]),
    Route("/{tenant}/adminconsent", admin_consent_endpoint, methods=["GET"]),
]
