"""Tenant isolation (style P9): what one tenant owns is invisible, and untouchable, through the other's scope.

Two tenants each register an app exposing the *same* App ID URI (allowed: URIs are unique per tenant),
with a service principal, a grant, a secret and a certificate. Every tenant-scoped read and write
addressed to one tenant must see and change only that tenant's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal
from tenantry.apps.service import AppError
from tenantry.common.ids import new_guid
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.directory.models import Tenant
from tenantry.directory.service import DomainTakenError
from tenantry.store.unit_of_work import Store

from .conftest import NOW, Certificate, DomainServices, unique_domain


@dataclass(frozen=True)
class Side:
    """One tenant and what it owns."""

    tenant: Tenant
    app: Application
    sp: ServicePrincipal
    secret: PasswordCredential
    certificate: KeyCredential
    grant: AppRoleAssignment


@dataclass(frozen=True)
class World:
    """Tenants A and B, built the way the CLI builds them (through the services)."""

    a: Side
    b: Side
    uri: str


def build_side(services: DomainServices, store: Store, uri: str, certificate: Certificate) -> Side:
    """A tenant with an app on `uri`, its SP holding one of the app's own roles, a secret and a certificate."""
    tenant = services.directory.create_tenant("Tenant", [unique_domain()])
    app = services.apps.create_app(tenant.id, "Shared API", identifier_uris=(uri,))
    services.apps.add_app_role(app, "Data.Read")
    app = services.apps.find_app(app.app_id) or app
    with store.transaction() as unit:
        sp = unit.find_service_principal_by_app_id(tenant.id, app.app_id)
    assert sp is not None
    grant = AppRoleAssignment(new_guid(), tenant.id, sp.id, "ServicePrincipal", sp.id, app.app_roles[0].id, NOW)
    with store.transaction() as unit:
        unit.add_assignment(grant)
    secret = services.credentials.add_secret(app).credential
    cert = services.credentials.add_certificate(app, certificate.pem)
    return Side(tenant, app, sp, secret, cert, grant)


@pytest.fixture
def world(services: DomainServices, store: Store, certificate: Certificate) -> World:
    """Tenants A and B with look-alike contents."""
    uri = f"api://shared-{new_guid()}"
    return World(build_side(services, store, uri, certificate), build_side(services, store, uri, certificate), uri)


def test_the_same_identifier_uri_resolves_to_each_tenants_own_app(store: Store, world: World) -> None:
    """App ID URIs are unique per tenant, so each tenant's lookup finds its own app."""
    with store.transaction() as unit:
        assert unit.find_application_by_identifier_uri(world.a.tenant.id, world.uri) == world.a.app
        assert unit.find_application_by_identifier_uri(world.b.tenant.id, world.uri) == world.b.app


def test_listing_apps_shows_only_the_tenants_own(store: Store, world: World) -> None:
    """`list_applications(B)` never includes A's app."""
    with store.transaction() as unit:
        assert unit.list_applications(world.a.tenant.id) == [world.a.app]
        assert unit.list_applications(world.b.tenant.id) == [world.b.app]


def test_service_principals_are_invisible_across_tenants(store: Store, world: World) -> None:
    """B has no instance of A's app, and vice versa."""
    with store.transaction() as unit:
        assert unit.find_service_principal_by_app_id(world.b.tenant.id, world.a.app.app_id) is None
        assert unit.find_service_principal_by_app_id(world.a.tenant.id, world.b.app.app_id) is None


def test_grants_are_invisible_across_tenants(store: Store, world: World) -> None:
    """A's grant is listed under A only, even when asked with A's principal and resource ids."""
    a = world.a
    with store.transaction() as unit:
        assert unit.list_assignments(a.tenant.id, a.sp.id, a.sp.id) == [a.grant]
        assert unit.list_assignments(world.b.tenant.id, a.sp.id, a.sp.id) == []


def test_credentials_are_invisible_across_tenants(store: Store, world: World) -> None:
    """A's secrets and certificates cannot be listed through B's scope with A's application id."""
    a, b = world.a, world.b
    with store.transaction() as unit:
        assert unit.list_password_credentials(a.tenant.id, a.app.id) == [a.secret]
        assert unit.list_key_credentials(a.tenant.id, a.app.id) == [a.certificate]
        assert unit.list_password_credentials(b.tenant.id, a.app.id) == []
        assert unit.list_key_credentials(b.tenant.id, a.app.id) == []


def test_credentials_cannot_be_removed_across_tenants(store: Store, world: World) -> None:
    """Removing A's credentials through B's scope removes nothing."""
    a, b = world.a, world.b
    with store.transaction() as unit:
        assert not unit.remove_password_credential(b.tenant.id, a.app.id, a.secret.key_id)
        assert not unit.remove_key_credential(b.tenant.id, a.app.id, a.certificate.key_id)
        assert not unit.remove_password_credential(b.tenant.id, b.app.id, a.secret.key_id)
    with store.transaction() as unit:
        assert unit.list_password_credentials(a.tenant.id, a.app.id) == [a.secret]
        assert unit.list_key_credentials(a.tenant.id, a.app.id) == [a.certificate]


def test_a_service_principal_update_addressed_to_another_tenant_changes_nothing(store: Store, world: World) -> None:
    """`update_service_principal` with A's SP id but tenant B leaves A's flags as they were."""
    forged = replace(world.a.sp, tenant_id=world.b.tenant.id, account_enabled=False)
    with store.transaction() as unit:
        unit.update_service_principal(forged)
    with store.transaction() as unit:
        assert unit.find_service_principal_by_app_id(world.a.tenant.id, world.a.app.app_id) == world.a.sp


def test_an_app_update_addressed_to_another_tenant_changes_nothing(store: Store, world: World) -> None:
    """`update_application` with A's app id but tenant B must not alter A's app or its App ID URI index."""
    new_uri = f"api://moved-{new_guid()}"
    forged = replace(world.a.app, tenant_id=world.b.tenant.id, display_name="hijacked", identifier_uris=(new_uri,))
    with store.transaction() as unit:
        unit.update_application(forged)
    with store.transaction() as unit:
        assert unit.find_application(world.a.app.id) == world.a.app
        assert unit.find_application_by_identifier_uri(world.a.tenant.id, world.uri) == world.a.app
        assert unit.find_application_by_identifier_uri(world.b.tenant.id, new_uri) is None


# --- Services refuse cross-tenant mixes -----------------------------------------------------------


def test_a_domain_of_one_tenant_cannot_be_claimed_by_another(services: DomainServices, world: World) -> None:
    """`create_tenant` refuses A's domain in any case, so `/{domain}/…` keeps naming one tenant."""
    with pytest.raises(DomainTakenError):
        services.directory.create_tenant("Intruder", [unique_domain(), world.a.tenant.domains[0].upper()])
    assert services.directory.find_tenant(world.a.tenant.domains[0]) == world.a.tenant


def test_an_app_cannot_be_created_in_a_tenant_that_does_not_exist(services: DomainServices) -> None:
    """`create_app` checks the tenant inside its transaction."""
    with pytest.raises(AppError, match="does not exist"):
        services.apps.create_app(new_guid(), "Orphan")


def test_a_service_principal_is_updated_only_in_its_own_tenant(services: DomainServices, world: World) -> None:
    """`update_service_principal(B, A's appId)` is refused: A's app has no instance in B."""
    with pytest.raises(AppError, match="no service principal"):
        services.apps.update_service_principal(world.b.tenant.id, world.a.app.app_id, enabled=False)


def test_admin_consent_stays_in_one_tenant(services: DomainServices, world: World) -> None:
    """Consent in B for A's app, or to an API that lives only in B, is refused rather than granted across."""
    client = services.apps.create_app(world.a.tenant.id, "Client")
    client = services.apps.add_permission(client, world.b.app.app_id, "Data.Read", "Role")
    with pytest.raises(AppError, match="no service principal"):
        services.apps.admin_consent(client, world.b.tenant.id)
    with pytest.raises(AppError, match="has no service principal in the tenant"):
        services.apps.admin_consent(client)


def test_credentials_of_one_tenants_app_are_not_reachable_through_another(
    services: DomainServices, world: World
) -> None:
    """Deleting A's keyIds through B's app fails, and B's listing shows only B's credentials."""
    a, b = world.a, world.b
    assert not services.credentials.delete_credential(b.app, a.secret.key_id)
    assert not services.credentials.delete_credential(b.app, a.certificate.key_id)
    assert services.credentials.list_credentials(b.app) == ([b.secret], [b.certificate])
    assert services.credentials.list_credentials(a.app) == ([a.secret], [a.certificate])
