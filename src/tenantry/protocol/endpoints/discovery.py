"""OpenID Provider metadata, JWKS and instance discovery, shaped like Entra's (entra-reference §1.4–1.5)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from tenantry.common.transparent import ENTRA_ALIASES, LOGIN_HOST, graph_base_url, is_transparent
from tenantry.errors import Aadsts, AadstsError
from tenantry.http.context import request_context
from tenantry.http.responses import JsonResponse, error_response
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.tenancy import CONSUMERS_TENANT_ID, TenantAlias, TenantRef, resolve_tenant
from tenantry.protocol.urls import TenantUrls, called_base_url
from tenantry.tokens.keys import jwk_of

METADATA_HEADERS = {
    "Cache-Control": "max-age=86400, private",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
}
PLACEHOLDER_TENANT = "{tenantid}"


def _resolve(deps: ProtocolDeps, request: Request) -> TenantRef:
    with deps.store.transaction() as unit:
        return resolve_tenant(request.path_params["tenant"], unit)


def issuer_of(base: str, ref: TenantRef) -> str:
    """Concrete for a tenant; `{tenantid}` for common/organizations; the MSA tenant for consumers."""
    if ref.tenant is not None:
        return f"{base}/{ref.tenant.id}/v2.0"
    if ref.alias is TenantAlias.CONSUMERS:
        return f"{base}/{CONSUMERS_TENANT_ID}/v2.0"
    return f"{base}/{PLACEHOLDER_TENANT}/v2.0"


def openid_configuration(base: str, ref: TenantRef) -> dict[str, Any]:
    """Entra's v2.0 field set; endpoints name the tenant GUID even when a domain was asked for."""
    urls = TenantUrls(base, ref.path_segment)
    host = urlsplit(base).hostname or "localhost"
    return {
        "token_endpoint": urls.token,
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": urls.jwks,
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer_of(base, ref),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "authorization_endpoint": urls.authorize,
        "device_authorization_endpoint": urls.devicecode,
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": urls.logout,
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "kerberos_endpoint": urls.kerberos,
        "tenant_region_scope": "WW" if ref.tenant is not None else None,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": urlsplit(graph_base_url(base)).hostname or host,
        "rbac_url": base,
    }


def openid_configuration_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """`GET /{tenant}/v2.0/.well-known/openid-configuration`; unknown tenant → 90002 (invalid_tenant)."""
    ctx = request_context(request)
    try:
        ref = _resolve(deps, request)
    except AadstsError as err:
        return error_response(err, ctx)
    return JsonResponse(openid_configuration(ctx.base_url, ref), headers=METADATA_HEADERS)


def jwks_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """`GET /{tenant}/discovery/v2.0/keys`: every published key, each with Entra's `issuer` template."""
    ctx = request_context(request)
    try:
        _resolve(deps, request)
    except AadstsError as err:
        return error_response(err, ctx)
    issuer = f"{ctx.base_url}/{PLACEHOLDER_TENANT}/v2.0"
    return JsonResponse({"keys": [jwk_of(k, issuer) for k in deps.published_keys()]}, headers=METADATA_HEADERS)


def instance_discovery_endpoint(request: Request) -> Response:
    """`GET /common/discovery/instance`: vouch only for our own host, the public URL's or the one this request
    was sent to (MSAL's `invalid_instance` otherwise); tenant discovery is then on the public URL."""
    ctx = request_context(request)
    endpoint = request.query_params.get("authorization_endpoint", "")
    parts = urlsplit(endpoint)
    ours = urlsplit(ctx.base_url)
    called = urlsplit(called_base_url(ctx.base_url, request.headers.get("host", "")) or ctx.base_url)
    segments = [s for s in parts.path.split("/") if s]
    if not endpoint or parts.hostname not in {ours.hostname, called.hostname} or not segments:
        # The catalogue answers 50049 with `error=invalid_instance`, the value MSAL acts on.
        return error_response(AadstsError.of(Aadsts.NoSuchInstanceForDiscovery), ctx)
    return JsonResponse(
        {
            "tenant_discovery_endpoint": TenantUrls(ctx.base_url, segments[0]).openid_configuration,
            "api-version": "1.1",
            "metadata": [_instance_metadata(ctx.base_url)],
        },
        headers=METADATA_HEADERS,
    )


def _instance_metadata(base: str) -> dict[str, Any]:
    """Our host alone; in transparent mode Entra's public-cloud entry, whose aliases MSAL uses to find
    accounts cached under `login.windows.net` (requests still go to the preferred network, our host)."""
    if is_transparent(base):
        return {"preferred_network": LOGIN_HOST, "preferred_cache": "login.windows.net", "aliases": list(ENTRA_ALIASES)}
    host = urlsplit(base).netloc
    return {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
