"""`grant_type=client_credentials` (RFC 6749 §4.4; entra-reference §1.6).

The client acts as itself: a tenant-specific authority, a confidential client, one `{resource}/.default`
scope. The token carries the app roles granted to the client's service principal on the resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tenantry.common.clock import Clock
from tenantry.common.ids import jitter
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.client_auth import AuthenticatedClient, ClientAuthenticator, presented_credentials
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.resources import ResolvedResource, default_scope_resource, resolve_resource
from tenantry.protocol.urls import TenantUrls, called_base_url
from tenantry.tokens.claims import AppTokenRequest, app_access_token_claims
from tenantry.tokens.mint import TokenMinter, UnsignedTokenResponse


@dataclass(frozen=True, slots=True)
class ClientCredentialsDecision:
    """Everything validated: who asks, for which resource, with which roles."""

    base_url: str
    tenant: Tenant
    client: AuthenticatedClient
    resource: ResolvedResource
    roles: tuple[str, ...]


def token_endpoint_audiences(request: TokenRequest, tenant: Tenant | None) -> frozenset[str]:
    """URLs a client assertion's `aud` may name (RFC 7523 §3: the token endpoint): our v2.0 and v1 token
    endpoints under the path's tenant name and, once the tenant is known, its id and domains, each under the
    public URL and under the host the request was sent to (clients build `aud` from the authority they
    were given, which may name this server otherwise). Never another path, so an assertion made for some
    other endpoint of ours is still refused."""
    names = {request.tenant.segment, *((tenant.id, *tenant.domains) if tenant is not None else ())}
    bases = {request.base_url, called_base_url(request.base_url, request.host) or request.base_url}
    urls = {TenantUrls(base, name).token for base in bases for name in names}
    urls |= {f"{base}/{name}/oauth2/token" for base in bases for name in names}
    return frozenset(u.lower() for u in urls)


def granted_roles(client: AuthenticatedClient, resource: ResolvedResource, unit: StsUnit) -> tuple[str, ...]:
    """Values of the enabled application roles assigned to the client on the resource."""
    assignments = unit.list_assignments(
        client.service_principal.tenant_id, client.service_principal.id, resource.service_principal.id
    )
    values = []
    for assignment in assignments:
        role = resource.app.find_app_role(assignment.app_role_id)
        if role is not None and "Application" in role.allowed_member_types:
            values.append(role.value)
    return tuple(sorted(set(values)))


class ClientCredentialsGrant:
    """Issues app-only access tokens."""

    grant_type: ClassVar[str] = "client_credentials"
    parameters: ClassVar[frozenset[str]] = frozenset({"scope"})

    def __init__(
        self,
        authenticator: ClientAuthenticator,
        minter: TokenMinter,
        clock: Clock,
        lifetimes: tuple[int, int],
    ) -> None:
        self._authenticator = authenticator
        self._minter = minter
        self._clock = clock
        self._lifetimes = lifetimes

    def validate(self, request: TokenRequest, unit: StsUnit) -> ClientCredentialsDecision:
        """Tenant, client, scope, resource, roles — in the order Entra reports them."""
        tenant = request.tenant.require_tenant()
        presented = presented_credentials(request.form, request.authorization)
        audiences = token_endpoint_audiences(request, tenant) if presented.assertion is not None else frozenset()
        client = self._authenticator.authenticate_confidential(presented, request.tenant, unit, audiences)
        resource = resolve_resource(default_scope_resource(require(request.form, "scope")), tenant, unit)
        roles = granted_roles(client, resource, unit)
        if resource.service_principal.app_role_assignment_required and not roles:
            raise AadstsError.of(
                Aadsts.EntitlementGrantsNotFound,
                hint="The resource requires an app role assignment and the client holds none.",
            )
        return ClientCredentialsDecision(request.base_url, tenant, client, resource, roles)

    def _lifetime(self) -> int:
        """Entra randomises access-token lifetimes between 60 and 90 minutes (entra-reference §2.5)."""
        low, high = self._lifetimes
        return jitter(low, high)

    def needs_write(self, decision: ClientCredentialsDecision) -> bool:
        """Only a client assertion writes (its jti); a secret-authenticated request reads only."""
        return decision.client.assertion is not None

    def issue(self, decision: ClientCredentialsDecision, unit: StsUnit) -> dict[str, Any]:
        """`issue_unsigned`, signed here (the blocking path: the token endpoint then runs on a worker thread)."""
        unsigned = self.issue_unsigned(decision, unit)
        return unsigned.signed(unsigned.access_token.sign())

    def issue_unsigned(self, decision: ClientCredentialsDecision, unit: StsUnit) -> UnsignedTokenResponse:
        """Record the assertion's jti, mint, and answer like Entra (no `scope`, no refresh token)."""
        self._authenticator.record_assertion(decision.client, unit)
        lifetime = self._lifetime()
        claims = app_access_token_claims(
            AppTokenRequest(
                base_url=decision.base_url,
                tenant_id=decision.tenant.id,
                version=decision.resource.version,
                audience=decision.resource.audience,
                client_app_id=decision.client.app.app_id,
                client_sp_id=decision.client.service_principal.id,
                client_acr=decision.client.acr,
                roles=decision.roles,
                issued_at=int(self._clock.now().timestamp()),
                lifetime=lifetime,
            )
        )
        token = self._minter.mint(claims, version=decision.resource.version)
        return UnsignedTokenResponse(
            token, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime}
        )
