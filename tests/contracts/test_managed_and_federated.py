"""`ManagedIdentityRepository` and `FederatedCredentialRepository` contracts with their services, on both
backends: round trips, order, tenant isolation, lookup by secret digest, cascades, and Entra's FIC rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.apps.managed_identities import (
    IdentityKind,
    ManagedIdentityError,
    ManagedIdentityService,
    SecretKind,
    secret_digest,
)
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.common.clock import FixedClock
from tenantry.credentials.federated import (
    FederatedCredentialError,
    FederatedCredentialInput,
    FederatedCredentialService,
)
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import app_record, tenant_record

ISSUER = "https://issuer.example"


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


@pytest.fixture
def ctx(clock: FixedClock) -> AuditContext:
    """The operator, now."""
    return AuditContext(SYSTEM, clock.now())


def test_identities_round_trip_and_are_found_by_secret_only(store: Store, tenant: Tenant, ctx: AuditContext) -> None:
    """Listed oldest first with their service principal (type ManagedIdentity, no application); each secret's
    digest finds its identity, the other kind's does not, and another tenant lists none."""
    service = ManagedIdentityService(store.transaction)
    first = service.create(tenant.id, "web", IdentityKind.SYSTEM, ctx=ctx)
    later = AuditContext(SYSTEM, ctx.now + timedelta(seconds=1))
    second = service.create(tenant.id, "jobs", IdentityKind.USER, ctx=later)
    assert service.list(tenant.id) == [first.identity, second.identity]
    assert "userAssignedIdentities" in second.identity.resource_id
    with store.transaction() as unit:
        sp = unit.find_service_principal(tenant.id, first.identity.id)
        assert sp is not None and sp.service_principal_type == "ManagedIdentity"
        assert unit.find_application_by_app_id(first.identity.app_id) is None
        found = unit.find_managed_identity_by_secret(SecretKind.HEADER, secret_digest(first.header_secret))
        assert found == first.identity
        assert (
            unit.find_managed_identity_by_secret(SecretKind.IMDS, secret_digest(second.imds_secret)) == second.identity
        )
        assert unit.find_managed_identity_by_secret(SecretKind.IMDS, secret_digest(first.header_secret)) is None
    other = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(other)
    assert service.list(other.id) == []
    with pytest.raises(ManagedIdentityError):
        service.delete(other.id, "web", ctx=ctx)


def test_deleting_an_identity_drops_its_secrets(store: Store, tenant: Tenant, ctx: AuditContext) -> None:
    """Delete by client id: its secrets find nothing afterwards; names are unique ignoring case."""
    service = ManagedIdentityService(store.transaction)
    made = service.create(tenant.id, "web", IdentityKind.SYSTEM, ctx=ctx)
    with pytest.raises(ManagedIdentityError, match="already has"):
        service.create(tenant.id, "WEB", IdentityKind.USER, ctx=ctx)
    service.delete(tenant.id, made.identity.app_id.upper(), ctx=ctx)
    with store.transaction() as unit:
        assert unit.find_managed_identity_by_secret(SecretKind.HEADER, secret_digest(made.header_secret)) is None
        assert unit.find_service_principal(tenant.id, made.identity.id) is None


def test_federated_credentials_round_trip(store: Store, tenant: Tenant, ctx: AuditContext) -> None:
    """Added, listed, updated (name fixed), deleted; another app lists none; the app's deletion cascades."""
    app, other = app_record(tenant.id), app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
        unit.add_application(other)
    service = FederatedCredentialService(store.transaction)
    made = service.add(app, FederatedCredentialInput("main", ISSUER, "repo:o/r", None, "ci"), ctx=ctx)
    assert made.audiences == ("api://AzureADTokenExchange",)
    assert service.list(app) == [made] and service.list(other) == []
    changed = service.update(app, "main", FederatedCredentialInput("", "", "repo:o/x", ["aud"], None), ctx=ctx)
    assert (changed.subject, changed.audiences, changed.description) == ("repo:o/x", ("aud",), "ci")
    assert service.list(app) == [changed]
    with pytest.raises(FederatedCredentialError):
        service.update(app, made.id, FederatedCredentialInput("renamed", "", "", None, None), ctx=ctx)
    service.delete(app, made.id, ctx=ctx)
    assert service.list(app) == []
    service.add(app, FederatedCredentialInput("again", ISSUER, "s", None, None), ctx=ctx)
    with store.transaction(write=True) as unit:
        unit.delete_application(tenant.id, app.id)
        assert unit.list_federated_credentials(tenant.id, app.id) == []
