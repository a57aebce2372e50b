"""Fixtures for the in-process protocol suite: one app, one directory of test data, Entra error checks.

The suite talks HTTP to `create_app(build_services(...))` through Starlette's `TestClient` with an
https base URL, so `error_uri`, issuers and HSTS behave as they do behind TLS. Test data is created
once per session (`world`); tests that need data of their own build it with `factory`.

Every test runs under a log guard: records are captured at DEBUG level (SQLAlchemy statements
included) and no client secret, private key or JWT (issued token or client assertion) may appear in
them (style P3: never log secrets or tokens).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import RSAKey

from tenantry.app import Services, build_services, create_app
from tenantry.apps.models import Application
from tenantry.common.ids import b64url
from tenantry.config import Settings
from tenantry.directory.models import Tenant
from tenantry.errors import get_spec
from tenantry.server.logs import record_fields

with warnings.catch_warnings():
    # Starlette 1.x prefers the `httpx2` fork; plain httpx is what the project installs and still works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

BASE_URL = "https://localhost:8443"
JSON_UTF8 = "application/json; charset=utf-8"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ERROR_KEYS = ("error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
JWT_IN_TEXT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")

# Test data names (the domains are verified domains of the main tenant).
DOMAIN = "contoso.example"
SECOND_DOMAIN = "contoso-labs.example"
API_V1_URI = "api://contoso/orders"
API_V2_URI = "https://inventory.contoso.example"


# --------------------------------------------------------------------------------------------------
# Entra error assertions
# --------------------------------------------------------------------------------------------------


def is_guid(value: object) -> bool:
    """A lower-case hyphenated GUID, Entra's wire form."""
    return isinstance(value, str) and GUID.match(value) is not None


def assert_entra_error(
    response: httpx.Response, code: int, status: int, error: str, *, correlation_id: str | None = None
) -> dict[str, Any]:
    """Check one AADSTS error answer field by field against Entra's wire format and the catalogue.

    Returns the body so a test can look further (for example at the parameter a 90100 names).
    """
    spec = get_spec(code)
    assert (response.status_code, spec.http_status) == (status, status), response.text
    assert spec.oauth_error == error, f"catalogue says {spec.oauth_error!r} for {code}"
    assert response.headers["content-type"] == JSON_UTF8
    assert "no-store" in response.headers.get("cache-control", "")
    body = response.json()
    optional = [key for key in ("suberror", "claims") if key in body]
    expected_keys = [*ERROR_KEYS, *optional]
    assert list(body) == expected_keys, f"keys (in Entra's order) differ: {list(body)}"
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    assert is_guid(body["trace_id"])
    assert body["trace_id"] == response.headers["x-ms-request-id"]
    if correlation_id is None:
        assert is_guid(body["correlation_id"])
    else:
        assert body["correlation_id"] == correlation_id
    description = body["error_description"]
    assert description.startswith(f"AADSTS{code}: ")
    trailer = (
        f"\r\nTrace ID: {body['trace_id']}\r\nCorrelation ID: {body['correlation_id']}"
        f"\r\nTimestamp: {body['timestamp']}"
    )
    assert description.endswith(trailer)
    assert description.count("\r\n") == 3, "the message itself must not contain line breaks"
    assert body["error_uri"] == f"{BASE_URL}/error?code={code}"
    if status == 401:
        assert response.headers.get("www-authenticate"), "a 401 must carry a WWW-Authenticate challenge"
    return body


def message_of(body: Mapping[str, Any]) -> str:
    """The `error_description` without its AADSTS prefix and trace trailer."""
    head = str(body["error_description"]).split("\r\n", 1)[0]
    return head.split(": ", 1)[1]


# --------------------------------------------------------------------------------------------------
# Certificates and client assertions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """A self-signed RSA certificate and its private key, as a client app would hold them."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        """The certificate in PEM (what is registered on the app)."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def private_pem(self) -> bytes:
        """The private key in PKCS#8 PEM."""
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def x5t(self) -> str:
        """SHA-1 thumbprint, base64url (the RS256 header MSAL and azure-identity send)."""
        der = self.cert.public_bytes(serialization.Encoding.DER)
        return b64url(hashlib.sha1(der, usedforsecurity=False).digest())

    @property
    def x5t_s256(self) -> str:
        """SHA-256 thumbprint, base64url (MSAL's PS256 header)."""
        return b64url(hashlib.sha256(self.cert.public_bytes(serialization.Encoding.DER)).digest())


def make_certificate(
    name: str = "tenantry-test", *, not_before: datetime | None = None, lifetime: timedelta = timedelta(days=30)
) -> Certificate:
    """Generate a 2048-bit RSA key and a self-signed certificate valid from `not_before` for `lifetime`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.now(UTC) - timedelta(hours=1)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + lifetime)
        .sign(key, hashes.SHA256())
    )
    return Certificate(key, cert)


def make_assertion(
    cert: Certificate,
    client_id: str,
    audience: str,
    *,
    alg: str = "RS256",
    now: datetime | None = None,
    header: Mapping[str, Any] | None = None,
    claims: Mapping[str, Any] | None = None,
    omit: tuple[str, ...] = (),
    signer: Certificate | None = None,
) -> str:
    """A client assertion (RFC 7523 §3) the way MSAL builds one; `claims`/`omit` bend it for negative tests.

    RS256 carries `x5t`, PS256 `x5t#S256`; a `header` entry set to None is removed. `signer` signs
    with another key while keeping `cert`'s thumbprint, which is how a bad signature is made.
    """
    issued = (now or datetime.now(UTC)).timestamp()
    thumbprint = {"x5t": cert.x5t} if alg == "RS256" else {"x5t#S256": cert.x5t_s256}
    merged: dict[str, Any] = {"alg": alg, "typ": "JWT", **thumbprint, **(header or {})}
    protected = {name: value for name, value in merged.items() if value is not None}
    payload: dict[str, Any] = {
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": str(uuid.uuid4()),
        "iat": issued,
        "nbf": issued,
        "exp": issued + 600,
        **(claims or {}),
    }
    for name in omit:
        payload.pop(name, None)
    key = RSAKey.import_key((signer or cert).private_pem)
    return jws.serialize_compact(protected, json.dumps(payload).encode("utf-8"), key, algorithms=[alg])


def unsigned_jwt(header: Mapping[str, Any] | list[Any], payload: Mapping[str, Any] | list[Any]) -> str:
    """A compact JWS-shaped string with an empty signature, for headers joserfc refuses to sign (alg none)."""
    parts = (json.dumps(header).encode("utf-8"), json.dumps(payload).encode("utf-8"))
    return ".".join(b64url(part) for part in parts) + "."


# --------------------------------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """A registered client app and the clear secret it holds (None when it has none)."""

    app: Application
    secret: str | None = None

    @property
    def client_id(self) -> str:
        """The appId clients send as `client_id`."""
        return self.app.app_id


MIN_GUARDED_LENGTH = 8


@dataclass
class Sensitive:
    """Values that must never reach a log: secrets, private keys and tokens seen during the session."""

    values: set[str] = field(default_factory=set)

    def add(self, value: str | bytes | None) -> None:
        """Remember a value; short ones (fuzzed one-character "secrets") would match any log line and are
        not secrets anyway, so only values of 8 characters or more are guarded."""
        text = value.decode("ascii") if isinstance(value, bytes) else value
        if text and len(text) >= MIN_GUARDED_LENGTH:
            self.values.add(text)


class Factory:
    """Creates tenants, apps and credentials through the services, remembering every secret."""

    def __init__(self, services: Services, sensitive: Sensitive) -> None:
        self.services = services
        self.sensitive = sensitive

    def tenant(self, name: str, domains: list[str]) -> Tenant:
        """A tenant with the given verified domains."""
        return self.services.directory.create_tenant(name, domains)

    def api(
        self, tenant: Tenant, name: str, uri: str, *, version: int | None = None, roles: tuple[str, ...] = ()
    ) -> Application:
        """A resource app exposing `uri` and the given application roles (returned fresh, roles included)."""
        app = self.services.apps.create_app(tenant.id, name, identifier_uris=(uri,), access_token_version=version)
        for role in roles:
            app = self._fresh(app)
            self.services.apps.add_app_role(app, role)
        return self._fresh(app)

    def client(
        self,
        tenant: Tenant,
        name: str,
        *,
        secret: bool = True,
        public: bool = False,
        roles: Mapping[str, tuple[str, ...]] | None = None,
        secret_end: datetime | None = None,
    ) -> Client:
        """A client app, optionally with a secret, and with `roles` {api appId: values} granted by admin consent."""
        app = self.services.apps.create_app(tenant.id, name, public_client=public)
        for api_app_id, values in (roles or {}).items():
            for value in values:
                app = self.services.apps.add_permission(app, api_app_id, value, "Role")
        if roles:
            self.services.apps.admin_consent(app)
        text = self.secret(app, end=secret_end) if secret else None
        return Client(self._fresh(app), text)

    def secret(self, app: Application, *, end: datetime | None = None) -> str:
        """Add a secret (an `end` in the past makes it expired) and return its clear value."""
        text = self.services.credentials.add_secret(app, end=end).secret_text
        self.sensitive.add(text)
        return text

    def certificate(self, app: Application, cert: Certificate | None = None) -> Certificate:
        """Register a (new) certificate on the app."""
        cert = cert or make_certificate(app.display_name)
        self.sensitive.add(cert.private_pem)
        self.services.credentials.add_certificate(app, cert.pem)
        return cert

    def _fresh(self, app: Application) -> Application:
        found = self.services.apps.find_app(app.app_id)
        assert found is not None
        return found


@dataclass(frozen=True)
class World:
    """The session's directory: see `world` for what each member is for."""

    tenant: Tenant
    other_tenant: Tenant
    api_v1: Application
    api_v2: Application
    disabled_api: Application
    locked_api: Application
    confidential: Client
    cert: Certificate
    public: Client
    disabled_client: Client
    no_credential: Client
    expired_only: Client
    rotated: Client
    rotated_expired_secret: str
    foreign: Client

    def token_path(self, segment: str | None = None) -> str:
        """The v2 token endpoint path for a tenant segment (default: the main tenant's GUID)."""
        return f"/{segment or self.tenant.id}/oauth2/v2.0/token"

    @property
    def token_url(self) -> str:
        """The absolute token endpoint URL a client assertion's `aud` names."""
        return BASE_URL + self.token_path()


def build_world(factory: Factory) -> World:
    """Create the shared directory once."""
    tenant = factory.tenant("Contoso", [DOMAIN, SECOND_DOMAIN])
    other = factory.tenant("Fabrikam", ["fabrikam.example"])
    api_v1 = factory.api(tenant, "Orders API", API_V1_URI, roles=("Orders.Read", "Orders.Write"))
    api_v2 = factory.api(tenant, "Inventory API", API_V2_URI, version=2, roles=("Stock.Read",))
    disabled_api = factory.api(tenant, "Retired API", "api://contoso/retired", roles=("Old.Read",))
    locked_api = factory.api(tenant, "Locked API", "api://contoso/locked", roles=("Vault.Read",))
    factory.services.apps.update_service_principal(tenant.id, disabled_api.app_id, enabled=False)
    factory.services.apps.update_service_principal(tenant.id, locked_api.app_id, assignment_required=True)
    confidential = factory.client(
        tenant,
        "Daemon",
        roles={api_v1.app_id: ("Orders.Read",), api_v2.app_id: ("Stock.Read",)},
    )
    cert = factory.certificate(confidential.app)
    public = factory.client(tenant, "Desktop app", public=True)
    factory.certificate(public.app, cert)
    disabled_client = factory.client(tenant, "Disabled daemon")
    factory.services.apps.update_service_principal(tenant.id, disabled_client.client_id, enabled=False)
    no_credential = factory.client(tenant, "Bare daemon", secret=False)
    past = datetime.now(UTC) - timedelta(days=1)
    expired_only = factory.client(tenant, "Lapsed daemon", secret_end=past)
    rotated = factory.client(tenant, "Rotated daemon")
    rotated_expired_secret = factory.secret(rotated.app, end=past)
    foreign = factory.client(other, "Fabrikam daemon")
    return World(
        tenant=tenant,
        other_tenant=other,
        api_v1=api_v1,
        api_v2=api_v2,
        disabled_api=disabled_api,
        locked_api=locked_api,
        confidential=confidential,
        cert=cert,
        public=public,
        disabled_client=disabled_client,
        no_credential=no_credential,
        expired_only=expired_only,
        rotated=rotated,
        rotated_expired_secret=rotated_expired_secret,
        foreign=foreign,
    )


def secret_form(client: Client, scope: str = f"{API_V1_URI}/.default", **extra: str) -> dict[str, str]:
    """A client-credentials form with `client_secret_post`."""
    assert client.secret is not None
    form = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "scope": scope,
    }
    return {**form, **extra}


def assertion_form(client_id: str, assertion: str, scope: str = f"{API_V1_URI}/.default") -> dict[str, str]:
    """A client-credentials form with `private_key_jwt`."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": scope,
    }


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sensitive() -> Sensitive:
    """Every secret, key and token the suite handles; the log guard looks for each."""
    return Sensitive()


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Services over a fresh SQLite home, with the system clock, published under `BASE_URL` as `serve` does
    (so the public URL names Microsoft Graph, as in a running server)."""
    home: Path = tmp_path_factory.mktemp("tenantry-home")
    return build_services(Settings(home=home, public_url=BASE_URL))


@pytest.fixture(scope="session")
def factory(services: Services, sensitive: Sensitive) -> Factory:
    """Creates test data in the session's directory."""
    return Factory(services, sensitive)


@pytest.fixture(scope="session")
def world(factory: Factory) -> World:
    """Contoso (two domains) with a v1 and a v2 API, disabled/locked APIs and clients of every kind.

    - `confidential`: a secret and a certificate, Orders.Read on the v1 API and Stock.Read on the v2 API.
    - `public`: a public client (it even has a secret and the same certificate, which it must not use).
    - `disabled_client`: its service principal is disabled; `no_credential`: no secret, no certificate.
    - `expired_only`: its only secret expired; `rotated`: one active secret and one expired one.
    - `foreign`: a client registered in another tenant (Fabrikam).
    - `disabled_api`: resource SP disabled; `locked_api`: assignment required and nobody assigned.
    """
    return build_world(factory)


@pytest.fixture(scope="session")
def client(services: Services) -> Iterator[TestClient]:
    """An https TestClient on the session's app."""
    with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def token(client: TestClient, sensitive: Sensitive) -> TokenPoster:
    """Posts token requests and remembers every access token issued, for the log guard."""
    return TokenPoster(client, sensitive)


class TokenPoster:
    """`POST` to a token endpoint; issued access tokens and sent assertions become sensitive values."""

    def __init__(self, client: TestClient, sensitive: Sensitive) -> None:
        self.client = client
        self.sensitive = sensitive

    def __call__(
        self,
        path: str,
        data: Mapping[str, str] | None = None,
        *,
        content: bytes | str | None = None,
        headers: Mapping[str, str | bytes] | None = None,
    ) -> httpx.Response:
        """Send a form (`data`) or raw `content`; returns the response."""
        if data is not None:
            self.sensitive.add(data.get("client_assertion"))
        response = self.client.post(path, data=data, content=content, headers=headers)
        if response.status_code == 200 and "access_token" in response.text:
            self.sensitive.add(response.json().get("access_token"))
        return response


def find_leaks(text: str, sensitive: Sensitive) -> list[str]:
    """Sensitive values (shown truncated) and JWT-shaped strings found in `text`."""
    leaks = [f"{value[:8]}…" for value in sensitive.values if value in text]
    leaks += [f"JWT {match.group(0)[:16]}…" for match in JWT_IN_TEXT.finditer(text)]
    return leaks


@pytest.fixture(autouse=True)
def log_guard(caplog: pytest.LogCaptureFixture, sensitive: Sensitive) -> Iterator[None]:
    """Capture every log record at DEBUG; fail the test if a secret, key or token was logged.

    SQLAlchemy's own logger defaults to WARNING, so it is lowered too: the statements and their
    parameters are then captured, which also proves no clear secret or token is written to the store.
    """
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    yield
    texts = [caplog.text]
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        texts.append(repr(record_fields(record)))  # structured fields (`extra=`): the refusal records' reasons
    leaks = find_leaks("\n".join(texts), sensitive)
    assert not leaks, f"sensitive values in logs: {leaks}"
