"""The domain services' rules hold on every backend: tenants, app registrations and credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from support.certs import make_client_certificate
from tenantry.apps.service import AppError, IdentifierUriTakenError
from tenantry.common.clock import FixedClock
from tenantry.common.ids import new_guid
from tenantry.credentials.secrets import SecretHasher
from tenantry.credentials.service import CredentialError
from tenantry.directory.models import Tenant
from tenantry.directory.service import DomainTakenError, InvalidDomainError
from tenantry.store.unit_of_work import Store

from .conftest import NOW, Certificate, DomainServices, unique_domain


@pytest.fixture
def tenant(services: DomainServices) -> Tenant:
    """A tenant created through the directory service."""
    return services.directory.create_tenant("Contoso", [unique_domain()])


# --- Directory ------------------------------------------------------------------------------------


def test_create_tenant_normalises_and_stores_its_domains(services: DomainServices) -> None:
    """Domains are trimmed, lower-cased, stripped of a final dot and de-duplicated; lookups ignore case."""
    domain = unique_domain()
    tenant = services.directory.create_tenant("  ", [f" {domain.upper()}. ", domain])
    assert tenant.domains == (domain,)
    assert tenant.display_name == domain
    assert services.directory.find_tenant(domain.title()) == tenant
    assert services.directory.find_tenant(tenant.id.upper()) == tenant
    assert tenant in services.directory.list_tenants()


def test_create_tenant_rejects_a_domain_taken_by_another_tenant(services: DomainServices, tenant: Tenant) -> None:
    """A taken domain (in any case) refuses the whole tenant: none of its other domains is kept."""
    fresh = unique_domain()
    with pytest.raises(DomainTakenError):
        services.directory.create_tenant("Fabrikam", [fresh, tenant.domains[0].upper()])
    assert services.directory.find_tenant(fresh) is None


@pytest.mark.parametrize(
    "domains",
    [[], ["not a domain"], ["common"], ["localhost"], ["a..example.com"], ["-x.example.com"], ["x.example.c0m"]],
)
def test_create_tenant_rejects_invalid_domains(services: DomainServices, domains: list[str]) -> None:
    """Only DNS names we can route by are domains; the tenant aliases are reserved."""
    before = len(services.directory.list_tenants())
    with pytest.raises(InvalidDomainError):
        services.directory.create_tenant("Bad", domains)
    assert len(services.directory.list_tenants()) == before


# --- App registrations ----------------------------------------------------------------------------


def test_create_app_stores_the_app_and_its_service_principal(
    services: DomainServices, store: Store, tenant: Tenant
) -> None:
    """Created together in one transaction, and found by appId, object id and App ID URI."""
    uri = f"api://{new_guid()}"
    app = services.apps.create_app(
        tenant.id,
        "Payroll",
        identifier_uris=(uri, uri),
        redirect_uris=(("web", "https://app.example.com/cb"), ("spa", "http://localhost:3000"), ("public", "x://a")),
        public_client=True,
        access_token_version=2,
    )
    assert app.identifier_uris == (uri,)
    assert (app.web_redirect_uris, app.spa_redirect_uris) == (
        ("https://app.example.com/cb",),
        ("http://localhost:3000",),
    )
    assert app.public_client_redirect_uris == ("x://a",)
    for reference in (app.app_id, app.id, app.app_id.upper(), uri):
        assert services.apps.find_app(reference) == app
    assert services.apps.list_apps(tenant.id) == [app]
    with store.transaction() as unit:
        sp = unit.find_service_principal_by_app_id(tenant.id, app.app_id)
    assert sp is not None
    assert sp.account_enabled


def test_create_app_rejects_an_identifier_uri_taken_in_the_tenant(services: DomainServices, tenant: Tenant) -> None:
    """App ID URIs are unique per tenant; the refused app leaves no trace (no app, no SP)."""
    uri = f"api://{new_guid()}"
    first = services.apps.create_app(tenant.id, "First", identifier_uris=(uri,))
    with pytest.raises(IdentifierUriTakenError):
        services.apps.create_app(tenant.id, "Second", identifier_uris=(f"api://{new_guid()}", uri))
    assert services.apps.list_apps(tenant.id) == [first]


def test_the_same_identifier_uri_is_allowed_in_another_tenant(services: DomainServices, tenant: Tenant) -> None:
    """Uniqueness is per tenant, as in Entra."""
    uri = f"api://{new_guid()}"
    other = services.directory.create_tenant("Other", [unique_domain()])
    services.apps.create_app(tenant.id, "Here", identifier_uris=(uri,))
    there = services.apps.create_app(other.id, "There", identifier_uris=(uri,))
    assert services.apps.list_apps(other.id) == [there]


@pytest.mark.parametrize(
    ("platform", "uri"),
    [
        ("web", "http://app.example.com/cb"),
        ("spa", "http://app.example.com/"),
        ("web", "https://app.example.com/cb#fragment"),
        ("web", "/relative/cb"),
        ("web", "https:///no-host"),
        ("desktop", "https://app.example.com/cb"),
    ],
)
def test_create_app_rejects_bad_redirect_uris(
    services: DomainServices, tenant: Tenant, platform: str, uri: str
) -> None:
    """Web and SPA need https (http only on loopback), an absolute URI and no fragment; platforms are fixed."""
    with pytest.raises(AppError):
        services.apps.create_app(tenant.id, "Bad", redirect_uris=((platform, uri),))
    assert services.apps.list_apps(tenant.id) == []


@pytest.mark.parametrize("uri", ["http://localhost:5000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/"])
def test_http_is_allowed_on_loopback(services: DomainServices, tenant: Tenant, uri: str) -> None:
    """Entra's loopback exception for local development."""
    app = services.apps.create_app(tenant.id, "Local", redirect_uris=(("web", uri),))
    assert app.web_redirect_uris == (uri,)


@pytest.mark.parametrize("uri", ["http://api.example.com", "urn:x", "api://", "api://x?y=1", "api://x#y"])
def test_create_app_rejects_bad_identifier_uris(services: DomainServices, tenant: Tenant, uri: str) -> None:
    """App ID URIs are absolute api:// or https:// URIs without query or fragment."""
    with pytest.raises(AppError):
        services.apps.create_app(tenant.id, "Bad", identifier_uris=(uri,))


def test_roles_permissions_and_consent_round_trip(services: DomainServices, store: Store, tenant: Tenant) -> None:
    """A role added to an API, required by a client and consented, becomes the client SP's assignment."""
    api = services.apps.create_app(tenant.id, "API", identifier_uris=(f"api://{new_guid()}",))
    role = services.apps.add_app_role(api, "Data.Read", "Read data")
    api = services.apps.find_app(api.app_id) or api
    assert api.app_roles == (role,)
    client = services.apps.add_permission(
        services.apps.create_app(tenant.id, "Client"), api.app_id, "Data.Read", "Role"
    )
    assert services.apps.find_app(client.app_id) == client
    (granted,) = services.apps.admin_consent(client)
    assert services.apps.admin_consent(client)  # consenting again is harmless
    with store.transaction() as unit:
        client_sp = unit.find_service_principal_by_app_id(tenant.id, client.app_id)
        api_sp = unit.find_service_principal_by_app_id(tenant.id, api.app_id)
        assert client_sp is not None
        assert api_sp is not None
        assert unit.list_assignments(tenant.id, client_sp.id, api_sp.id) == [granted]
    assert granted.app_role_id == role.id


def test_a_failed_admin_consent_grants_nothing(services: DomainServices, store: Store, tenant: Tenant) -> None:
    """Consent is one transaction: if one required API has no SP in the tenant, no role is granted at all."""
    api = services.apps.create_app(tenant.id, "API")
    services.apps.add_app_role(api, "Data.Read")
    api = services.apps.find_app(api.app_id) or api
    elsewhere = services.directory.create_tenant("Elsewhere", [unique_domain()])
    foreign = services.apps.create_app(elsewhere.id, "Foreign API")
    services.apps.add_app_role(foreign, "Other.Read")
    client = services.apps.create_app(tenant.id, "Client")
    client = services.apps.add_permission(client, api.app_id, "Data.Read", "Role")
    client = services.apps.add_permission(client, foreign.app_id, "Other.Read", "Role")
    with pytest.raises(AppError):
        services.apps.admin_consent(client)
    with store.transaction() as unit:
        client_sp = unit.find_service_principal_by_app_id(tenant.id, client.app_id)
        api_sp = unit.find_service_principal_by_app_id(tenant.id, api.app_id)
        assert client_sp is not None
        assert api_sp is not None
        assert unit.list_assignments(tenant.id, client_sp.id, api_sp.id) == []


def test_update_service_principal_changes_only_the_given_flags(services: DomainServices, tenant: Tenant) -> None:
    """None leaves a flag alone; the result is what the store now holds."""
    app = services.apps.create_app(tenant.id, "API")
    required = services.apps.update_service_principal(tenant.id, app.app_id, assignment_required=True)
    disabled = services.apps.update_service_principal(tenant.id, app.app_id, enabled=False)
    assert (required.account_enabled, required.app_role_assignment_required) == (True, True)
    assert (disabled.account_enabled, disabled.app_role_assignment_required) == (False, True)


# --- Credentials ----------------------------------------------------------------------------------


def test_a_secret_is_shown_once_and_stored_as_a_keyed_hash(services: DomainServices, tenant: Tenant) -> None:
    """The store keeps the hint and the HMAC only; the hasher matches the clear value against it."""
    app = services.apps.create_app(tenant.id, "Client")
    new = services.credentials.add_secret(app, "ci")
    secrets, certificates = services.credentials.list_credentials(app)
    assert secrets == [new.credential]
    assert certificates == []
    assert new.credential.hint == new.secret_text[:3]
    assert new.credential.end == NOW + timedelta(days=365)
    assert SecretHasher(services.master_key).match(new.secret_text, secrets) == new.credential


def test_reset_without_append_replaces_every_secret(
    services: DomainServices, tenant: Tenant, clock: FixedClock
) -> None:
    """`reset_secret(append=False)` is az's `credential reset`: old secrets go, the new one stays."""
    app = services.apps.create_app(tenant.id, "Client")
    services.credentials.add_secret(app)
    clock.advance(1)
    kept = services.credentials.reset_secret(app, append=True).credential
    clock.advance(1)
    new = services.credentials.reset_secret(app, append=False).credential
    assert services.credentials.list_credentials(app)[0] == [new]
    assert kept not in services.credentials.list_credentials(app)[0]


def test_certificates_keep_their_own_validity_and_thumbprints(
    services: DomainServices, tenant: Tenant, certificate: Certificate
) -> None:
    """An uploaded certificate round-trips with its DER, SHA-1/SHA-256 thumbprints and validity window."""
    app = services.apps.create_app(tenant.id, "Client")
    added = services.credentials.add_certificate(app, certificate.pem)
    (stored,) = services.credentials.list_credentials(app)[1]
    assert stored == added
    assert stored.cert_der == certificate.der
    assert (stored.start.year, stored.end.year) == (2020, 2040)
    assert services.credentials.delete_credential(app, added.key_id.upper())
    assert not services.credentials.delete_credential(app, added.key_id)
    assert services.credentials.list_credentials(app) == ([], [])


def test_an_expired_certificate_is_refused(
    services: DomainServices, tenant: Tenant, certificate: Certificate, clock: FixedClock
) -> None:
    """A certificate past its notAfter is never stored."""
    app = services.apps.create_app(tenant.id, "Client")
    clock.advance(timedelta(days=365 * 10).total_seconds())
    with pytest.raises(CredentialError):
        services.credentials.add_certificate(app, certificate.pem)
    assert services.credentials.list_credentials(app) == ([], [])


def _long_subject_certificate() -> bytes:
    """A self-signed certificate whose subject (five 64-character attributes) runs past 256 characters."""
    oids = (
        NameOID.COMMON_NAME,
        NameOID.ORGANIZATION_NAME,
        NameOID.ORGANIZATIONAL_UNIT_NAME,
        NameOID.LOCALITY_NAME,
        NameOID.STATE_OR_PROVINCE_NAME,
    )
    subject = x509.Name([x509.NameAttribute(oid, f"{oid.dotted_string}-" + "x" * 50) for oid in oids])
    made = make_client_certificate(
        not_before=NOW - timedelta(minutes=5), not_after=NOW + timedelta(days=30), subject=subject
    )
    return made.certificate_pem.encode("ascii")


def test_a_certificate_with_a_long_subject_is_stored(services: DomainServices, tenant: Tenant) -> None:
    """A subject longer than a display name may be is cut to fit (PostgreSQL refused it with a 500), and an
    explicit display name that long is refused with a clear error."""
    pem = _long_subject_certificate()
    subject = x509.load_pem_x509_certificate(pem).subject.rfc4514_string()
    assert len(subject) > 256
    app = services.apps.create_app(tenant.id, "Client")
    stored = services.credentials.add_certificate(app, pem)
    assert len(stored.display_name) == 256
    with pytest.raises(CredentialError, match="at most 256"):
        services.credentials.add_certificate(app, pem, display_name="x" * 257)
