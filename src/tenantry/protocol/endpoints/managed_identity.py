"""The managed identity endpoints in the two shapes azure-identity and msal-node read (issue 13 §4).

- App Service: `GET /msi/token?api-version=2019-08-01&resource=…[&client_id|object_id|mi_res_id=…]` with
  `X-IDENTITY-HEADER: <secret>` (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`). Answers `access_token`,
  `expires_on` (epoch seconds as a string), `resource`, `token_type`, `client_id`; failures are App Service's
  `{"statusCode": n, "message": …}`: 400 without the header or with a bad request, 401 with a wrong secret.
- IMDS: `GET /msi/{secret}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
  `Metadata: true` (`AZURE_POD_IDENTITY_AUTHORITY_HOST={public URL}/msi/{secret}`). Answers IMDS's fields
  with its string numbers (`expires_in`, `expires_on`, `ext_expires_in`, `not_before`); failures are
  `{"error": …, "error_description": …}`, 400 for what IMDS calls a bad request (no `Metadata` header, an
  unknown identity, a wrong secret; azure-identity reads a 400 as "no identity here", and a 404 would make
  it retry for half a minute).

The access log records these paths as `/msi/<redacted>` (`server/access_log.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenantry.apps.managed_identities import SecretKind
from tenantry.common.context import RequestContext
from tenantry.errors.refusals import log_refused
from tenantry.http.context import request_context
from tenantry.http.responses import NO_STORE, JsonResponse
from tenantry.protocol.managed_identity import (
    SELECTORS,
    IdentityRefusedError,
    IdentityRequest,
    IdentityToken,
    ManagedIdentityTokens,
)
from tenantry.signins.models import EventType, SignInEntry
from tenantry.signins.service import SignInLog

APP_SERVICE_PATH = "/msi/token"
IMDS_PATH = "/msi/{secret}/metadata/identity/oauth2/token"
APP_SERVICE_API_VERSION = "2019-08-01"
IMDS_API_VERSIONS = frozenset({"2018-02-01", "2019-08-01", "2021-02-01"})
IDENTITY_HEADER = "x-identity-header"


def _selectors(query: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in query.items() if name in SELECTORS or name == "msi_res_id"}


@dataclass(frozen=True)
class IdentityEndpointDeps:
    """The token service, and the sign-in log successes are queued on (None: not logged)."""

    tokens: ManagedIdentityTokens
    sign_ins: SignInLog | None = None


def sign_in_entry(token: IdentityToken, ctx: RequestContext) -> SignInEntry:
    """Entra's managed identity sign-in (`signInEventTypes` `managedIdentity`): the identity, the resource."""
    identity = token.identity
    return SignInEntry(
        id=ctx.trace_id,
        created_at=ctx.received_at,
        tenant_id=identity.tenant_id,
        event_type=EventType.MANAGED_IDENTITY,
        app_id=identity.app_id,
        app_display_name=identity.name,
        resource_id=token.resource_app_id,
        resource_display_name=token.resource_name,
        service_principal_id=identity.id,
        service_principal_name=identity.name,
        ip_address=ctx.client_ip,
        correlation_id=ctx.correlation_id,
    )


async def _issue(deps: IdentityEndpointDeps, wanted: IdentityRequest, request: Request) -> IdentityToken:
    """Issue on a worker thread; a success is queued on the sign-in log, built on its writer thread."""
    token = await to_thread.run_sync(deps.tokens.issue, wanted)
    if deps.sign_ins is not None:
        deps.sign_ins.record_later(sign_in_entry, token, request_context(request))
    return token


def _log(request: Request, refusal: IdentityRefusedError, shape: str) -> None:
    """The operator's record of a refusal (P3): the status and reason, never the secret or the URL."""
    ctx = request_context(request)
    log_refused(ctx, "managed identity token", status=refusal.status, answer=shape, reason=refusal.message)


def _app_service_error(status: int, message: str) -> Response:
    return JsonResponse({"statusCode": status, "message": message}, status_code=status, headers=NO_STORE)


def _imds_error(refusal: IdentityRefusedError) -> Response:
    body = {"error": refusal.error, "error_description": refusal.message}
    return JsonResponse(body, status_code=400 if refusal.status == 401 else refusal.status, headers=NO_STORE)


async def app_service_endpoint(deps: IdentityEndpointDeps, request: Request) -> Response:
    """The App Service shape: the header secret names the identity."""
    secret = request.headers.get(IDENTITY_HEADER)
    query = request.query_params
    if not secret:
        return _app_service_error(400, "The X-IDENTITY-HEADER header is required.")
    if query.get("api-version") != APP_SERVICE_API_VERSION:
        return _app_service_error(400, f"The api-version must be {APP_SERVICE_API_VERSION}.")
    base_url = request_context(request).base_url
    wanted = IdentityRequest(SecretKind.HEADER, secret, _selectors(query), query.get("resource", ""), base_url)
    try:
        token = await _issue(deps, wanted, request)
    except IdentityRefusedError as refusal:
        _log(request, refusal, "app service")
        return _app_service_error(refusal.status, refusal.message)
    body: dict[str, Any] = {
        "access_token": token.access_token,
        "expires_on": str(token.expires_on),
        "resource": token.resource,
        "token_type": "Bearer",
        "client_id": token.client_id,
    }
    return JsonResponse(body, headers=NO_STORE)


async def imds_endpoint(deps: IdentityEndpointDeps, request: Request) -> Response:
    """The IMDS shape: the path secret names the identity; `Metadata: true` guards against SSRF, as in Azure."""
    query = request.query_params
    if request.headers.get("metadata", "").lower() != "true":
        return _imds_error(IdentityRefusedError(400, "invalid_request", "Required metadata header not specified"))
    if query.get("api-version") not in IMDS_API_VERSIONS:
        return _imds_error(IdentityRefusedError(400, "invalid_request", "Invalid or missing api-version"))
    secret = str(request.path_params["secret"]).lower()  # hex; msal-node lower-cases the URL anyway
    base_url = request_context(request).base_url
    wanted = IdentityRequest(SecretKind.IMDS, secret, _selectors(query), query.get("resource", ""), base_url)
    try:
        token = await _issue(deps, wanted, request)
    except IdentityRefusedError as refusal:
        _log(request, refusal, "imds")
        return _imds_error(refusal)
    body = {
        "access_token": token.access_token,
        "client_id": token.client_id,
        "expires_in": str(token.expires_in),
        "expires_on": str(token.expires_on),
        "ext_expires_in": str(token.expires_in),
        "not_before": str(token.not_before),
        "resource": token.resource,
        "token_type": "Bearer",
    }
    return JsonResponse(body, headers=NO_STORE)


def managed_identity_routes(deps: IdentityEndpointDeps) -> list[BaseRoute]:
    """Both shapes, bound to their dependencies once."""
    return [
        Route(APP_SERVICE_PATH, partial(app_service_endpoint, deps), methods=["GET"]),
        Route(IMDS_PATH, partial(imds_endpoint, deps), methods=["GET"]),
    ]
