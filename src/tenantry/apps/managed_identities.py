"""Managed identities: service principals of type `ManagedIdentity`, with no application object.

As in Entra, nobody holds a credential of a managed identity that the token endpoint would accept: there is
no application to add a secret, certificate or federated credential to. Tokens come only from the identity
endpoints (`protocol/managed_identity.py`), and only to whoever presents one of the identity's two endpoint
secrets, each bound to exactly one identity:

- the App Service secret (`IDENTITY_HEADER`, sent as `X-IDENTITY-HEADER`);
- the IMDS secret, a path segment of `AZURE_POD_IDENTITY_AUTHORITY_HOST` (IMDS requests carry no credential:
  Azure binds them by network locality, which a shared server cannot).

Both are 256-bit random values (the IMDS one in lower-case hex, as msal-node lower-cases the URL) shown
once at creation; only their SHA-256 digests are stored, and lookups go by digest, so the comparison never
runs over the secret's bytes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tenantry.apps.models import ServicePrincipal
from tenantry.apps.operations import sp_target
from tenantry.apps.repository import ServicePrincipalDirectory, ServicePrincipalRepository
from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.ids import new_guid
from tenantry.directory.repository import TenantRepository

MANAGED_IDENTITY_TYPE = "ManagedIdentity"
MAX_NAME_LENGTH = 128
SECRET_BYTES = 32


class IdentityKind(StrEnum):
    """System-assigned (one per Azure resource) or user-assigned (a resource of its own)."""

    SYSTEM = "SystemAssigned"
    USER = "UserAssigned"


class SecretKind(StrEnum):
    """Which endpoint secret a request presented."""

    HEADER = "header"
    IMDS = "imds"


@dataclass(frozen=True, slots=True)
class ManagedIdentity:
    """A managed identity: `id` is its service principal's object id (the token's `oid`), `app_id` its
    client id, `resource_id` the Azure resource id tokens name in `xms_mirid`."""

    id: str
    tenant_id: str
    app_id: str
    name: str
    kind: IdentityKind
    resource_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewManagedIdentity:
    """A just-created identity with its two endpoint secrets, which are never shown again."""

    identity: ManagedIdentity
    header_secret: str
    imds_secret: str


def secret_digest(secret: str) -> bytes:
    """SHA-256 of an endpoint secret: the stored and looked-up form (the secret is 256 random bits)."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def resource_id_for(tenant_id: str, kind: IdentityKind, name: str) -> str:
    """An Azure-shaped resource id (Tenantry has no subscriptions of resources: a fixed resource group)."""
    if kind is IdentityKind.USER:
        provider = "Microsoft.ManagedIdentity/userAssignedIdentities"
    else:
        provider = "Microsoft.Web/sites"
    return f"/subscriptions/{tenant_id}/resourcegroups/tenantry/providers/{provider}/{name}"


class ManagedIdentityRepository(Protocol):
    """Managed identities, always within one tenant, except the lookup by secret digest."""

    def add_managed_identity(self, identity: ManagedIdentity, header_hash: bytes, imds_hash: bytes) -> None:
        """Store a new identity (its service principal is stored separately, first)."""
        ...

    def list_managed_identities(self, tenant_id: str) -> list[ManagedIdentity]:
        """The tenant's identities, oldest first."""
        ...

    def find_managed_identity_by_secret(self, kind: SecretKind, digest: bytes) -> ManagedIdentity | None:
        """The identity whose secret of `kind` has this digest, in whichever tenant it is."""
        ...


class ManagedIdentitiesUnit(
    TenantRepository, ServicePrincipalRepository, ServicePrincipalDirectory, ManagedIdentityRepository,
    AuditRepository, Protocol,
):  # fmt: skip
    """What managed identity administration reads and writes."""


class ManagedIdentityError(ValueError):
    """An identity that cannot be created or found; the message says why."""


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or "/" in cleaned:
        raise ManagedIdentityError(f"an identity name has 1 to {MAX_NAME_LENGTH} characters and no '/'")
    return cleaned


class ManagedIdentityService:
    """Create, list and delete managed identities; the operator's CLI is the only caller (in Azure, ARM
    creates them, not Graph), so no Graph role can make one."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[ManagedIdentitiesUnit]]) -> None:
        self._transaction = transaction

    def create(self, tenant_id: str, name: str, kind: IdentityKind, *, ctx: AuditContext) -> NewManagedIdentity:
        """A new identity: its service principal (fresh appId, no application) and two fresh secrets."""
        name = _check_name(name)
        sp = ServicePrincipal(
            new_guid(), tenant_id, new_guid(), name, ctx.now, service_principal_type=MANAGED_IDENTITY_TYPE
        )
        identity = ManagedIdentity(
            sp.id, tenant_id, sp.app_id, name, kind, resource_id_for(tenant_id, kind, name), ctx.now
        )
        # The IMDS secret is lower-case hex: msal-node lower-cases the whole IMDS URL it is given.
        header, imds = secrets.token_urlsafe(SECRET_BYTES), secrets.token_hex(SECRET_BYTES)
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise ManagedIdentityError(f"tenant '{tenant_id}' does not exist")
            if any(i.name.lower() == name.lower() for i in unit.list_managed_identities(tenant_id)):
                raise ManagedIdentityError(f"the tenant already has a managed identity named '{name}'")
            unit.add_service_principal(sp)
            unit.add_managed_identity(identity, secret_digest(header), secret_digest(imds))
            record(unit, ctx, tenant_id, AuditActivity.ADD_SERVICE_PRINCIPAL, (sp_target(sp),), "Add")
        return NewManagedIdentity(identity, header, imds)

    def list(self, tenant_id: str) -> list[ManagedIdentity]:
        """The tenant's identities, oldest first."""
        with self._transaction() as unit:
            return unit.list_managed_identities(tenant_id)

    def delete(self, tenant_id: str, reference: str, *, ctx: AuditContext) -> ManagedIdentity:
        """Delete by name, client id or object id: the service principal goes, its secrets with it."""
        with self._transaction() as unit:
            identity = _find(unit.list_managed_identities(tenant_id), reference)
            sp = unit.find_service_principal(tenant_id, identity.id)
            unit.delete_service_principal(tenant_id, identity.id)
            if sp is not None:
                record(unit, ctx, tenant_id, AuditActivity.DELETE_SERVICE_PRINCIPAL, (sp_target(sp),), "Delete")
        return identity


def _find(identities: list[ManagedIdentity], reference: str) -> ManagedIdentity:
    wanted = reference.strip().lower()
    for identity in identities:
        if wanted in (identity.id, identity.app_id, identity.name.lower()):
            return identity
    raise ManagedIdentityError(f"no managed identity '{reference}' in this tenant")
