"""Resolving the resource a `.default` scope names (entra-reference §2.4).

`{resource}/.default` asks for every permission granted on the resource; the resource is named by its
appId or by one of its App ID URIs. A URI ending in `/` needs a double slash: `https://x//.default`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.identifier_uris import first_party_holder
from tenantry.apps.models import Application, ServicePrincipal
from tenantry.common.ids import is_guid
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit

DEFAULT_SUFFIX = "/.default"
# Graph's well-known URIs (the resolver finds every first-party URI in the system tenant's apps).
FIRST_PARTY_URIS = {GRAPH_URI: GRAPH_APP_ID, "https://canary.graph.microsoft.com": GRAPH_APP_ID}


@dataclass(frozen=True, slots=True)
class ResolvedResource:
    """The resource app, its service principal in the tenant, and the identifier the client used."""

    app: Application
    service_principal: ServicePrincipal
    requested_as: str

    @property
    def version(self) -> int:
        """The access-token version this resource accepts."""
        return self.app.access_token_version

    @property
    def audience(self) -> str:
        """v2 audiences are always the appId; v1 audiences echo what the client asked for."""
        return self.app.app_id if self.version == 2 else self.requested_as


def default_scope_resource(scope: str) -> str:
    """The resource of a client-credentials scope, which must be exactly one `{resource}/.default`."""
    items = scope.split()
    if len(items) != 1:
        raise AadstsError.of(
            Aadsts.InvalidScope,
            scope=scope,
            hint="Client credentials take exactly one scope, of the form {resource}/.default.",
        )
    item = items[0]
    if not item.endswith(DEFAULT_SUFFIX):
        raise AadstsError.of(
            Aadsts.InvalidScope, scope=item, hint="Client credentials need the scope {resource}/.default."
        )
    resource = item[: -len(DEFAULT_SUFFIX)]
    if not resource:
        raise AadstsError.of(Aadsts.InvalidScopeForAccessToken, scope=item)
    return resource


def _find_app(identifier: str, tenant: Tenant, unit: StsUnit) -> Application | None:
    """By appId, else by App ID URI as the store compares them (ignoring case and one trailing slash): a
    first-party URI names the first-party app in every tenant, whatever a tenant app may claim."""
    if is_guid(identifier):
        return unit.find_application_by_app_id(identifier.lower())
    return first_party_holder(unit, identifier) or unit.find_application_by_identifier_uri(tenant.id, identifier)


def resolve_resource(identifier: str, tenant: Tenant, unit: StsUnit) -> ResolvedResource:
    """The resource by appId or App ID URI; missing in the tenant → 500011, disabled → 500014."""
    app = _find_app(identifier, tenant, unit)
    sp = unit.find_service_principal_by_app_id(tenant.id, app.app_id) if app else None
    if app is None or sp is None:
        debug = (
            f"no application has this appId or App ID URI in tenant {tenant.id}"
            if app is None
            else f"resource app {app.app_id} has no service principal in tenant {tenant.id}"
        )
        raise AadstsError.of(
            Aadsts.InvalidResourceServicePrincipalNotFound, resource=identifier, tenant=tenant.id, debug=debug
        )
    if not sp.account_enabled:
        debug = f"service principal {sp.id} of resource app {app.app_id} in tenant {tenant.id} is disabled"
        raise AadstsError.of(Aadsts.InvalidResourceServicePrincipalDisabled, resource=identifier, debug=debug)
    return ResolvedResource(app, sp, identifier)
