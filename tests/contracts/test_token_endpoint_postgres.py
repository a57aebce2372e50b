"""The token endpoint's happy path on PostgreSQL, wired exactly as the server wires it (`build_services`).

The protocol suites run on SQLite; this proves the same composition works on PostgreSQL, including
the one write the STS makes: the client-assertion replay table (RFC 7523 §3, item 7 → AADSTS50012).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.testclient import TestClient

from tenantry.app import Services, build_services, create_app
from tenantry.apps.models import Application
from tenantry.common.ids import b64url
from tenantry.config import Settings
from tenantry.directory.models import Tenant

from .conftest import Certificate, unique_domain

pytestmark = pytest.mark.postgres

BASE_URL = "https://localhost:8443"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def settings(home: Path, database_url: str) -> Settings:
    """Explicit values, so a developer's TENANTRY_* environment cannot change what is tested."""
    return Settings(home=home, database_url=database_url, public_url=None, secret_key=None)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory (master key) shared by every server instance of this module."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def services(home: Path, postgres_url: str) -> Iterator[Services]:
    """A server's services on a fresh PostgreSQL database (build_services migrates it and makes a key)."""
    built = build_services(settings(home, postgres_url))
    yield built
    built.store.dispose()


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    """HTTP access to the app as MSAL would reach it."""
    with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def tenant(services: Services) -> Tenant:
    """A tenant of the test's own."""
    return services.directory.create_tenant("Contoso on PostgreSQL", [unique_domain()])


@pytest.fixture
def api(services: Services, tenant: Tenant) -> Application:
    """A v1 resource API named by an App ID URI."""
    return services.apps.create_app(tenant.id, "Payroll API", identifier_uris=(f"api://payroll-{uuid.uuid4().hex}",))


@pytest.fixture
def confidential(services: Services, tenant: Tenant) -> Application:
    """A confidential client app."""
    return services.apps.create_app(tenant.id, "Daemon")


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a compact JWT, without verifying it."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def client_assertion(app: Application, tenant: Tenant, certificate: Certificate, jti: str) -> str:
    """What MSAL sends for a certificate credential: RS256 with the SHA-1 thumbprint as `x5t`."""
    pem = certificate.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    header = {
        "alg": "RS256",
        "typ": "JWT",
        "x5t": b64url(hashlib.sha1(certificate.der, usedforsecurity=False).digest()),
    }
    now = int(time.time())
    claims = {
        "aud": f"{BASE_URL}/{tenant.id}/oauth2/v2.0/token",
        "iss": app.app_id,
        "sub": app.app_id,
        "jti": jti,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    return jwt.encode(header, claims, RSAKey.import_key(pem))


def test_client_credentials_with_a_secret_issues_a_verifiable_token(
    client: TestClient, services: Services, tenant: Tenant, api: Application, confidential: Application
) -> None:
    """A secret stored in PostgreSQL authenticates; the token verifies against the tenant's JWKS."""
    secret = services.credentials.add_secret(confidential).secret_text
    response = client.post(
        f"/{tenant.id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": confidential.app_id,
            "client_secret": secret,
            "scope": f"{api.identifier_uris[0]}/.default",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 3600 <= body["expires_in"] <= 5400
    jwks = client.get(f"/{tenant.id}/discovery/v2.0/keys").json()
    token = jwt.decode(body["access_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert token.claims["aud"] == api.identifier_uris[0]
    assert token.claims["appid"] == confidential.app_id
    assert token.claims["appidacr"] == "1"
    assert token.claims["tid"] == tenant.id


def test_a_replayed_client_assertion_is_refused_with_50012(
    client: TestClient,
    services: Services,
    home: Path,
    postgres_url: str,
    tenant: Tenant,
    api: Application,
    confidential: Application,
    certificate: Certificate,
) -> None:
    """The first use of an assertion succeeds; the same `jti` again fails — also on another server instance."""
    services.credentials.add_certificate(confidential, certificate.pem)
    assertion = client_assertion(confidential, tenant, certificate, jti=str(uuid.uuid4()))
    form = {
        "grant_type": "client_credentials",
        "client_id": confidential.app_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": f"{api.app_id}/.default",
    }
    first = client.post(f"/{tenant.id}/oauth2/v2.0/token", data=form)
    assert first.status_code == 200, first.text
    assert claims_of(first.json()["access_token"])["appidacr"] == "2"

    replay = client.post(f"/{tenant.id}/oauth2/v2.0/token", data=form)
    assert replay.status_code == 401
    assert (replay.json()["error"], replay.json()["error_codes"]) == ("invalid_client", [50012])

    other_worker = build_services(settings(home, postgres_url))
    try:
        with TestClient(create_app(other_worker, public_url=BASE_URL), base_url=BASE_URL) as other_client:
            elsewhere = other_client.post(f"/{tenant.id}/oauth2/v2.0/token", data=form)
            fresh = dict(form, client_assertion=client_assertion(confidential, tenant, certificate, str(uuid.uuid4())))
            accepted = other_client.post(f"/{tenant.id}/oauth2/v2.0/token", data=fresh)
    finally:
        other_worker.store.dispose()
    assert elsewhere.json()["error_codes"] == [50012], "the replay cache lives in the database, not in memory"
    assert accepted.status_code == 200, accepted.text
