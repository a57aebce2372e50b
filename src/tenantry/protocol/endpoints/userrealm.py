"""`GET /common/userrealm/{upn}?api-version=1.0`: home-realm discovery as MSAL Python asks for it before
ROPC (msal-compat §1.3, §2.6).

A domain some tenant has verified is `Managed` (plain ROPC follows); MSAL reads only `account_type`. A
tenant with seamless SSO also says `EstsProperties.DesktopSsoEnabled` (entra-reference §6.2), which is how
a native client learns it may try its Kerberos ticket at the SSO endpoint.
Any other domain is a JSON 404, on which MSAL falls back to plain ROPC too. MSAL drops the authority's
port for this request, so it arrives on port 443: run `tenantry serve --port 8443 --port 443` when
MSAL Python's username/password flow is needed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.first_party import SYSTEM_TENANT_ID
from tenantry.common.text import control_character
from tenantry.errors.render import not_found
from tenantry.http.context import request_context
from tenantry.http.responses import JsonResponse, rendered_response
from tenantry.protocol.endpoints.deps import ProtocolDeps

CLOUD_AUDIENCE_URN = "urn:federation:MicrosoftOnline"


def realm_document(domain: str, base_url: str, desktop_sso: bool = False) -> dict[str, Any]:
    """Entra's answer for a managed (cloud-only) domain, and whether its tenant has seamless SSO."""
    document: dict[str, Any] = {
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": domain,
        "cloud_instance_name": urlsplit(base_url).hostname or "localhost",
        "cloud_audience_urn": CLOUD_AUDIENCE_URN,
    }
    if desktop_sso:
        document["EstsProperties"] = {"DesktopSsoEnabled": True}
    return document


def userrealm_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Managed for a known domain, else 404."""
    ctx = request_context(request)
    domain = str(request.path_params["upn"]).rpartition("@")[2].strip().lower()
    tenant, desktop_sso = None, False
    # A domain name never holds a control character, and PostgreSQL refuses NUL in a query: no lookup.
    if domain and control_character(domain, value=False) is None:
        with deps.store.transaction() as unit:
            tenant = unit.find_tenant_by_domain(domain)
            desktop_sso = tenant is not None and bool(unit.list_sso_keys(tenant.id))
    if tenant is None or tenant.id == SYSTEM_TENANT_ID:
        description = f"No tenant has verified the domain '{domain[:253]}'."
        return rendered_response(not_found(ctx, description, reason="no tenant has verified the user's domain"))
    document = realm_document(domain, ctx.base_url, desktop_sso)
    return JsonResponse(document, headers={"x-ms-request-id": ctx.trace_id})
