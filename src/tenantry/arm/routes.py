"""The ARM paths az uses, each as ARM answers it (api-version 2022-12-01 shapes).

- `GET /metadata/endpoints`: the cloud's metadata document (no token: az reads it before any login);
- `GET /tenants`: the caller's tenant with its domains (`az login` without `--tenant` walks this list);
- `GET /subscriptions`, `GET /subscriptions/{id}`: the tenant's subscriptions (`az account list/set`).

Every other path is 404 `NotFound`; every call but the metadata needs `api-version` (400, as ARM).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tenantry.arm.auth import ArmCaller, authenticate
from tenantry.arm.deps import ArmDeps
from tenantry.arm.errors import ArmError, not_found
from tenantry.directory.models import Tenant
from tenantry.directory.subscriptions import Subscription

# What Azure reports for a pay-as-you-go subscription; az shows and stores these fields.
SUBSCRIPTION_POLICIES = {
    "locationPlacementId": "Public_2014-09-01",
    "quotaId": "PayAsYouGo_2014-09-01",
    "spendingLimit": "Off",
}


def check_api_version(request: Request) -> None:
    """ARM refuses a call without `api-version` (400 `MissingApiVersionParameter`)."""
    if not request.query_params.get("api-version"):
        message = "The api-version query parameter (?api-version=) is required for all requests."
        raise ArmError(400, "MissingApiVersionParameter", message)


def tenant_record(tenant: Tenant) -> dict[str, Any]:
    """ARM `TenantIdDescription`: az keeps `defaultDomain` and `displayName` with the account."""
    return {
        "id": f"/tenants/{tenant.id}",
        "tenantId": tenant.id,
        "tenantCategory": "Home",
        "displayName": tenant.display_name,
        "domains": list(tenant.domains),
        "defaultDomain": tenant.domains[0] if tenant.domains else None,
        "tenantType": "AAD",
    }


def subscription_record(subscription: Subscription) -> dict[str, Any]:
    """ARM `Subscription`, its home tenant included."""
    return {
        "id": f"/subscriptions/{subscription.id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription.id,
        "tenantId": subscription.tenant_id,
        "displayName": subscription.display_name,
        "state": subscription.state,
        "subscriptionPolicies": SUBSCRIPTION_POLICIES,
    }


def listing(values: list[dict[str, Any]]) -> JSONResponse:
    """ARM's list shape: `value` and its total count (no paging: a tenant holds few of either)."""
    return JSONResponse({"value": values, "count": {"type": "Total", "value": len(values)}})


class ArmEndpoints:
    """The handlers, bound to their dependencies once."""

    def __init__(self, deps: ArmDeps) -> None:
        self._deps = deps

    def _caller(self, request: Request) -> ArmCaller:
        check_api_version(request)
        return authenticate(self._deps, request.headers.get("authorization"))

    async def metadata(self, request: Request) -> Response:
        """`GET /metadata/endpoints?api-version=…`: what `az cloud register` reads."""
        check_api_version(request)
        if self._deps.cloud is None:
            raise not_found("NotFound", "This server publishes no ARM URL: set TENANTRY_ARM_URL.")
        return JSONResponse(self._deps.cloud.metadata())

    async def tenants(self, request: Request) -> Response:
        """`GET /tenants`: the caller's own tenant (Tenantry has no guests in other tenants)."""
        caller = self._caller(request)
        tenant = self._deps.directory.find_tenant(caller.tenant_id)
        return listing([tenant_record(tenant)] if tenant else [])

    async def subscriptions(self, request: Request) -> Response:
        """`GET /subscriptions`: every subscription of the caller's tenant (there is no Azure RBAC here)."""
        caller = self._caller(request)
        return listing([subscription_record(s) for s in self._deps.subscriptions.list(caller.tenant_id)])

    async def subscription(self, request: Request) -> Response:
        """`GET /subscriptions/{id}`: one of the tenant's, else 404 `SubscriptionNotFound`."""
        caller = self._caller(request)
        wanted = str(request.path_params["subscription_id"])
        found = self._deps.subscriptions.find(caller.tenant_id, wanted)
        if found is None:
            raise not_found("SubscriptionNotFound", f"The subscription '{wanted}' could not be found.")
        return JSONResponse(subscription_record(found))
