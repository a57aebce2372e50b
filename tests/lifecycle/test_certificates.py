"""Certificates created by Tenantry (`--create-cert`, like `az ad sp create-for-rbac --create-cert`) and the
refusal of assertions signed by a certificate that expired or was removed (AADSTS700027).

MSAL Python, unmodified, talks to the in-process app through its `http_client` hook over a TestClient, so
no socket is opened; the server's clock is a FixedClock started at the real time (MSAL stamps assertions
with the real time) and moved forward to expire the certificate.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import warnings
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import httpx
import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from support.certs import b64url
from support.tokens import decode_unverified
from tenantry.app import Services, create_app
from tenantry.apps.models import Application
from tenantry.common.clock import FixedClock
from tenantry.credentials.models import NewCertificate
from tenantry.directory.models import Tenant

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

BASE_URL = "https://localhost:8443"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class MsalHttp:
    """MSAL's `http_client` contract (get/post/close returning requests-like responses) over TestClient."""

    def __init__(self, client: TestClient) -> None:
        self._client = client

    def get(self, url: str, params: Mapping[str, Any] | None = None, headers: Any = None, **_: Any) -> httpx.Response:
        """GET, ignoring transport options MSAL may pass."""
        return self._client.get(url, params=params, headers=headers)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_: Any) -> httpx.Response:
        """POST a form; MSAL passes the client assertion as bytes, which requests sends as text (httpx would not)."""
        if isinstance(data, Mapping):
            data = {k: v.decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}
        return self._client.post(url, params=params, data=data, headers=headers)

    def close(self) -> None:
        """Nothing to release."""


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """The app over the test's services (background jobs included, as in `serve`)."""
    with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def api(services: Services, tenant: Tenant) -> Application:
    """A v2 resource the daemon asks tokens for."""
    return services.apps.create_app(tenant.id, "Ledger API", identifier_uris=("api://ledger",), access_token_version=2)


def _msal(
    made: NewCertificate, app: Application, tenant: Tenant, client: TestClient
) -> msal.ConfidentialClientApplication:
    """A fresh MSAL app holding the created key and certificate (PS256 + x5t#S256, MSAL's default)."""
    return msal.ConfidentialClientApplication(
        app.app_id,
        client_credential={"private_key": made.private_key_pem, "public_certificate": made.certificate_pem},
        authority=f"{BASE_URL}/{tenant.id}",
        instance_discovery=False,
        http_client=MsalHttp(client),
    )


def _assertion(made: NewCertificate, app: Application, tenant: Tenant, issued: float) -> str:
    """An RS256 assertion with `x5t`, stamped at the server's time (for when the clock has moved on)."""
    der = x509.load_pem_x509_certificate(made.certificate_pem.encode()).public_bytes(serialization.Encoding.DER)
    header = {"alg": "RS256", "typ": "JWT", "x5t": b64url(hashlib.sha1(der, usedforsecurity=False).digest())}
    claims = {
        "aud": f"{BASE_URL}/{tenant.id}/oauth2/v2.0/token",
        "iss": app.app_id,
        "sub": app.app_id,
        "jti": str(uuid.uuid4()),
        "iat": issued,
        "nbf": issued,
        "exp": issued + 600,
    }
    key = RSAKey.import_key(made.private_key_pem)
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["RS256"])


def _token(client: TestClient, tenant: Tenant, app: Application, assertion: str) -> httpx.Response:
    return client.post(
        f"/{tenant.id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.app_id,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion,
            "scope": "api://ledger/.default",
        },
    )


def test_created_certificate_is_registered_and_its_key_returned_once(services: Services, app: Application) -> None:
    """The key is RSA-2048 and matches the registered certificate (same thumbprint, Verify usage), valid from
    now for one year by default; nothing of the private key is stored."""
    made = services.credentials.create_certificate(app, display_name="ci")
    key = serialization.load_pem_private_key(made.private_key_pem.encode(), None)
    cert = x509.load_pem_x509_certificate(made.certificate_pem.encode())
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()  # type: ignore[union-attr]
    _, certs = services.credentials.list_credentials(app)
    [stored] = certs
    assert stored.key_id == made.credential.key_id
    assert (stored.display_name, stored.usage, stored.type) == ("ci", "Verify", "AsymmetricX509Cert")
    assert stored.thumbprint_sha1 == hashlib.sha1(stored.cert_der, usedforsecurity=False).digest()
    assert stored.cert_der == cert.public_bytes(serialization.Encoding.DER)
    assert stored.end - stored.start == timedelta(days=365)
    assert made.combined_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert made.combined_pem.endswith("-----END CERTIFICATE-----\n")


def test_msal_gets_a_token_with_the_created_certificate(
    services: Services, client: TestClient, tenant: Tenant, app: Application, api: Application
) -> None:
    """Round trip: the returned key and certificate, given to MSAL as is, get an app token (acr "2")."""
    services.apps.admin_consent(app)
    made = services.credentials.create_certificate(app)
    result = _msal(made, app, tenant, client).acquire_token_for_client(["api://ledger/.default"])
    assert "access_token" in result, result["error_description"]
    claims = decode_unverified(result["access_token"]).claims
    assert (claims["azp"], claims["aud"], claims["azpacr"]) == (app.app_id, api.app_id, "2")


def test_assertion_signed_by_a_removed_certificate_is_700027(
    services: Services, client: TestClient, clock: FixedClock, tenant: Tenant, app: Application, api: Application
) -> None:
    """Deleting the certificate stops it at once: the same key now gets AADSTS700027 (no such thumbprint),
    while the app's other certificate still works (rotation without downtime)."""
    old = services.credentials.create_certificate(app)
    new = services.credentials.create_certificate(app)
    assert _token(client, tenant, app, _assertion(old, app, tenant, clock.now().timestamp())).status_code == 200
    assert services.credentials.delete_credential(app, old.credential.key_id)
    refused = _token(client, tenant, app, _assertion(old, app, tenant, clock.now().timestamp()))
    assert (refused.status_code, refused.json()["error_codes"]) == (401, [700027])
    assert refused.json()["error"] == "invalid_client"
    assert _token(client, tenant, app, _assertion(new, app, tenant, clock.now().timestamp())).status_code == 200


def test_assertion_signed_by_an_expired_certificate_is_700027(
    services: Services, client: TestClient, clock: FixedClock, tenant: Tenant, app: Application, api: Application
) -> None:
    """A certificate that has expired (it stays registered and listed as expired) is refused with 700027."""
    made = services.credentials.create_certificate(app, end=clock.now() + timedelta(days=2))
    assert _token(client, tenant, app, _assertion(made, app, tenant, clock.now().timestamp())).status_code == 200
    clock.advance(timedelta(days=3).total_seconds())
    refused = _token(client, tenant, app, _assertion(made, app, tenant, clock.now().timestamp()))
    assert (refused.status_code, refused.json()["error_codes"]) == (401, [700027])
    assert "expired" in refused.json()["error_description"].lower()
    _, certs = services.credentials.list_credentials(app)
    assert [c.key_id for c in certs] == [made.credential.key_id]
