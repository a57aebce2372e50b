"""Tokens for managed identities, free of HTTP (the two endpoint shapes are in `endpoints/managed_identity.py`).

A request presents one endpoint secret; its SHA-256 digest finds the one identity it belongs to (the digest
is unique and the lookup never touches the secret's bytes, so no timing depends on how much of it is right).
A selector the request adds (`client_id`, `object_id`, `mi_res_id`/`msi_res_id`) must name that same
identity: a secret never yields a token for another identity, in its tenant or elsewhere.

The token is the app-only token of client credentials (`idtyp=app`, `oid` = `sub` = the service principal,
`appid`/`azp` its appId, `appidacr` "2" as Entra's managed-identity tokens say), with `xms_mirid`, the Azure
resource id of the identity, and the app roles granted to the identity on the resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from tenantry.apps.managed_identities import ManagedIdentity, SecretKind, secret_digest
from tenantry.common.clock import Clock
from tenantry.common.ids import jitter
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.resources import DEFAULT_SUFFIX, ResolvedResource, resolve_resource
from tenantry.tokens.claims import AppTokenRequest, app_access_token_claims
from tenantry.tokens.mint import TokenMinter

# The identity selectors each endpoint shape accepts, mapped to what they name.
SELECTORS = {"client_id": "app_id", "object_id": "id", "principal_id": "id", "mi_res_id": "resource_id"}
IMDS_SELECTORS = {**SELECTORS, "msi_res_id": "resource_id"}


class IdentityRefusedError(Exception):
    """A refused request: the HTTP status, an OAuth-style error name and a message for the caller."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


@dataclass(frozen=True, slots=True)
class IdentityRequest:
    """One token request: which secret, the selectors sent, and the resource (a URI or an appId)."""

    secret_kind: SecretKind
    secret: str
    selectors: Mapping[str, str]
    resource: str
    base_url: str


@dataclass(frozen=True, slots=True)
class IdentityToken:
    """What both endpoint shapes answer with, and who got it for what (for the sign-in log)."""

    access_token: str
    expires_in: int
    expires_on: int
    not_before: int
    resource: str
    client_id: str
    identity: ManagedIdentity
    resource_app_id: str
    resource_name: str


def _check_selectors(identity: ManagedIdentity, selectors: Mapping[str, str]) -> None:
    """Every selector sent must name the secret's identity (GUIDs and resource ids compare without case)."""
    for name, value in selectors.items():
        attribute = IMDS_SELECTORS.get(name)
        if attribute is None:
            continue
        if value.strip().lower() != str(getattr(identity, attribute)).lower():
            raise IdentityRefusedError(400, "invalid_request", "Identity not found")


def _resource_identifier(resource: str) -> str:
    """`resource` as sent; a `/.default` suffix (a scope passed by mistake) is dropped, as Entra's MSI does."""
    value = resource.strip()
    return value[: -len(DEFAULT_SUFFIX)] if value.endswith(DEFAULT_SUFFIX) else value


def granted_role_values(unit: StsUnit, identity: ManagedIdentity, resource: ResolvedResource) -> tuple[str, ...]:
    """Values of the enabled application roles assigned to the identity on the resource."""
    values = set()
    for assignment in unit.list_assignments(identity.tenant_id, identity.id, resource.service_principal.id):
        role = resource.app.find_app_role(assignment.app_role_id)
        if role is not None and "Application" in role.allowed_member_types:
            values.add(role.value)
    return tuple(sorted(values))


class ManagedIdentityTokens:
    """Finds the identity by its secret, checks the selectors and the resource, and signs the token."""

    def __init__(
        self,
        reader: Callable[[], AbstractContextManager[StsUnit]],
        minter: TokenMinter,
        clock: Clock,
        lifetimes: tuple[int, int],
    ) -> None:
        self._reader = reader
        self._minter = minter
        self._clock = clock
        self._lifetimes = lifetimes

    def issue(self, request: IdentityRequest) -> IdentityToken:
        """Blocking (reads storage, signs): run it on a worker thread."""
        if not request.resource.strip():
            raise IdentityRefusedError(400, "invalid_request", "Required query variable 'resource' is missing")
        with self._reader() as unit:
            identity = unit.find_managed_identity_by_secret(request.secret_kind, secret_digest(request.secret))
            if identity is None:
                raise IdentityRefusedError(401, "invalid_client", "The identity secret is not valid.")
            _check_selectors(identity, request.selectors)
            tenant = self._tenant(unit, identity)
            try:
                resource = resolve_resource(_resource_identifier(request.resource), tenant, unit)
            except AadstsError as err:
                raise IdentityRefusedError(400, "invalid_resource", err.message) from err
            roles = granted_role_values(unit, identity, resource)
        if resource.service_principal.app_role_assignment_required and not roles:
            message = AadstsError.of(Aadsts.EntitlementGrantsNotFound).message
            raise IdentityRefusedError(400, "invalid_grant", message)
        return self._mint(request, identity, resource, roles)

    def _tenant(self, unit: StsUnit, identity: ManagedIdentity) -> Tenant:
        tenant = unit.find_tenant(identity.tenant_id)
        sp = unit.find_service_principal_by_app_id(identity.tenant_id, identity.app_id)
        if tenant is None or sp is None or not sp.account_enabled:
            raise IdentityRefusedError(400, "invalid_request", "Identity not found")
        return tenant

    def _mint(
        self, request: IdentityRequest, identity: ManagedIdentity, resource: ResolvedResource, roles: tuple[str, ...]
    ) -> IdentityToken:
        now = int(self._clock.now().timestamp())
        lifetime = jitter(*self._lifetimes)
        claims: dict[str, Any] = app_access_token_claims(
            AppTokenRequest(
                base_url=request.base_url,
                tenant_id=identity.tenant_id,
                version=resource.version,
                audience=resource.audience,
                client_app_id=identity.app_id,
                client_sp_id=identity.id,
                client_acr="2",
                roles=roles,
                issued_at=now,
                lifetime=lifetime,
            )
        )
        claims["xms_mirid"] = identity.resource_id
        token = self._minter.sign(claims, version=resource.version)
        return IdentityToken(
            token,
            lifetime,
            now + lifetime,
            claims["nbf"],
            request.resource,
            identity.app_id,
            identity,
            resource.app.app_id,
            resource.app.display_name,
        )
