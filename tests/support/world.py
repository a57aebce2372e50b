"""The compat suite's world: one live server, one tenant, resources of both token versions, client apps.

Directory objects are created in-process through `tenantry.app.build_services` on the server's own
SQLite file (WAL lets both processes use it); every client secret and issued token is handed to the
server's `LogGuard`, so the suite can prove none of them reaches the server's output (style P3).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import msal
from azure.identity import CertificateCredential, ClientSecretCredential

from support.certs import ClientCertificate
from support.live_server import LiveServer
from support.tokens import verify_rs256
from tenantry.app import Services
from tenantry.apps.models import Application
from tenantry.credentials.models import KeyCredential, NewSecret
from tenantry.directory.models import Tenant

# Entra back-dates iat/nbf by five minutes (entra-reference §2.2).
BACKDATE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Resource:
    """An API app a client asks tokens for; `role` is the app role the shared client holds on it, if any."""

    app: Application
    identifier: str
    role: str | None

    @property
    def version(self) -> int:
        """The access-token version the resource asked for (1 unless it set 2)."""
        return self.app.access_token_version

    @property
    def scope(self) -> str:
        """The client-credentials scope naming the resource by its App ID URI."""
        return f"{self.identifier}/.default"


@dataclass(frozen=True, slots=True)
class ClientApp:
    """A confidential client: its service principal's object id, first secret, and the resources it holds roles on.

    `granted` holds resource appIds; a token for one of them must carry `roles`, for any other it must not.
    """

    app: Application
    sp_id: str
    secret: NewSecret | None = None
    granted: frozenset[str] = frozenset()

    @property
    def client_id(self) -> str:
        """The appId clients send as `client_id`."""
        return self.app.app_id

    @property
    def secret_text(self) -> str:
        """The clear secret value; fails when the client was made without one."""
        assert self.secret is not None, "this client has no secret"
        return self.secret.secret_text


class CompatEnv:
    """Everything a compat test needs; build it with `CompatEnv.create`."""

    DOMAIN = "compat.tenantry.example"

    def __init__(self, server: LiveServer, services: Services, tenant: Tenant) -> None:
        self.server = server
        self.services = services
        self.tenant = tenant
        self.http = httpx.Client(base_url=server.base_url, verify=self.ssl_context, timeout=10.0)
        self.v1: Resource
        self.v2: Resource
        self.bare: Resource
        self.client: ClientApp

    @classmethod
    def create(cls, server: LiveServer, services: Services) -> CompatEnv:
        """One tenant; a v1 and a v2 API with a role each, granted to the shared client; an API with none."""
        env = cls(server, services, services.directory.create_tenant("Compat", [cls.DOMAIN]))
        env.v1 = env.new_resource("api://compat-v1", "Things.Read", version=None)
        env.v2 = env.new_resource("api://compat-v2", "Things.Write", version=2)
        env.bare = env.new_resource("api://compat-bare", None, version=1)
        env.client = env.new_client("Compat daemon", grants=(env.v1, env.v2))
        return env

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()

    # --- locations -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`https://localhost:PORT`: the issuer host of every token."""
        return self.server.base_url

    @property
    def ca_path(self) -> Path:
        """The server's development CA, which clients must trust."""
        return self.server.ca_path

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """A TLS context trusting only the server's development CA."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    @property
    def authority(self) -> str:
        """The tenant-specific authority by GUID."""
        return f"{self.base_url}/{self.tenant.id}"

    @property
    def token_url(self) -> str:
        """The v2.0 token endpoint, as discovery names it (and as assertions' `aud` must)."""
        return f"{self.authority}/oauth2/v2.0/token"

    # --- directory set-up --------------------------------------------------------------------------

    def new_resource(self, identifier: str, role: str | None, *, version: int | None) -> Resource:
        """An API app exposing `identifier` and, when given, the application role `role`."""
        app = self.services.apps.create_app(
            self.tenant.id,
            identifier.removeprefix("api://"),
            identifier_uris=(identifier,),
            access_token_version=version,
        )
        if role is not None:
            self.services.apps.add_app_role(app, role)
            app = self.services.apps.find_app(app.app_id) or app
        return Resource(app, identifier, role)

    def new_client(self, name: str, grants: Sequence[Resource] = (), *, with_secret: bool = True) -> ClientApp:
        """A confidential client holding (by admin consent) the role of each resource in `grants`."""
        app = self.services.apps.create_app(self.tenant.id, name)
        for resource in grants:
            assert resource.role is not None, "only a resource with a role can be granted"
            app = self.services.apps.add_permission(app, resource.app.app_id, resource.role, "Role")
        if grants:
            self.services.apps.admin_consent(app)
        with self.services.store.transaction() as unit:
            sp = unit.find_service_principal_by_app_id(self.tenant.id, app.app_id)
        assert sp is not None
        granted = frozenset(r.app.app_id for r in grants)
        return ClientApp(app, sp.id, self.add_secret(app) if with_secret else None, granted)

    def add_secret(self, app: Application, end: datetime | None = None) -> NewSecret:
        """Add a secret (any `end`, even a past one) and put its value under the log guard."""
        created = self.services.credentials.add_secret(app, "compat", end=end)
        self.server.guard.watch(f"client secret {created.credential.key_id}", created.secret_text)
        return created

    def add_certificate(self, app: Application, cert: ClientCertificate) -> KeyCredential:
        """Register the public half of `cert` on the app."""
        return self.services.credentials.add_certificate(app, cert.certificate_pem.encode("ascii"))

    def watch(self, label: str, value: str) -> None:
        """Put a token or assertion under the log guard."""
        self.server.guard.watch(label, value)

    # --- clients -------------------------------------------------------------------------------------

    def msal_app(
        self, client_id: str, credential: str | Mapping[str, str], authority: str | None = None
    ) -> msal.ConfidentialClientApplication:
        """Unmodified MSAL: only the authority and `instance_discovery=False` (the CA comes from the env)."""
        return msal.ConfidentialClientApplication(
            client_id,
            client_credential=dict(credential) if isinstance(credential, Mapping) else credential,
            authority=authority or self.authority,
            instance_discovery=False,
        )

    def secret_credential(self, client_id: str, secret: str) -> ClientSecretCredential:
        """Unmodified azure-identity: only authority, discovery off and the CA bundle."""
        return ClientSecretCredential(
            self.tenant.id,
            client_id,
            secret,
            authority=self.base_url,
            disable_instance_discovery=True,
            connection_verify=str(self.ca_path),
        )

    def certificate_credential(self, client_id: str, certificate_path: Path) -> CertificateCredential:
        """Unmodified azure-identity with a PEM file holding key and certificate."""
        return CertificateCredential(
            self.tenant.id,
            client_id,
            certificate_path=str(certificate_path),
            authority=self.base_url,
            disable_instance_discovery=True,
            connection_verify=str(self.ca_path),
        )

    def token_of(self, result: Mapping[str, Any]) -> str:
        """The access token of a successful MSAL result (else fail with the error), now under the log guard."""
        assert "access_token" in result, f"MSAL got an error: {result.get('error')}: {result.get('error_description')}"
        token = str(result["access_token"])
        self.watch("access token", token)
        return token

    # --- verification ------------------------------------------------------------------------------------

    @cached_property
    def jwks(self) -> dict[str, Any]:
        """The tenant's published signing keys, fetched once from the server."""
        response = self.http.get(f"/{self.tenant.id}/discovery/v2.0/keys")
        assert response.status_code == 200, response.text
        keys: dict[str, Any] = response.json()
        return keys

    def check_app_token(
        self, token: str, *, client: ClientApp, resource: Resource, acr: str, expires_in: int | None = None
    ) -> dict[str, Any]:
        """Verify the signature against the JWKS and assert Entra's app-only claim set (entra-reference §2.1–2.2).

        The resource picks the version: v2 → `…/{tid}/v2.0`, aud = appId, azp/azpacr; v1 → `…/{tid}/`,
        aud = the identifier asked for, appid/appidacr and `x5t` in the header. `roles` appears only when
        the client holds one on the resource.
        """
        decoded = verify_rs256(token, self.jwks)
        header, claims = decoded.header, decoded.claims
        tid = self.tenant.id
        assert header["typ"] == "JWT"
        if resource.version == 2:
            assert "x5t" not in header
            assert claims["iss"] == f"{self.base_url}/{tid}/v2.0"
            assert claims["aud"] == resource.app.app_id
            assert (claims["azp"], claims["azpacr"], claims["ver"]) == (client.client_id, acr, "2.0")
            assert "appid" not in claims and "appidacr" not in claims
        else:
            assert header["x5t"] == header["kid"]
            assert claims["iss"] == f"{self.base_url}/{tid}/"
            assert claims["aud"] == resource.identifier
            assert (claims["appid"], claims["appidacr"], claims["ver"]) == (client.client_id, acr, "1.0")
            assert "azp" not in claims and "azpacr" not in claims
        assert claims["idtyp"] == "app"
        assert claims["oid"] == claims["sub"] == client.sp_id
        assert claims["tid"] == tid
        assert isinstance(claims["uti"], str) and claims["uti"]
        if resource.app.app_id in client.granted:
            assert claims["roles"] == [resource.role]
        else:
            assert "roles" not in claims
        self.check_lifetime(claims, expires_in)
        return claims

    def check_lifetime(self, claims: Mapping[str, Any], expires_in: int | None = None) -> None:
        """iat = nbf = issue time − 300 s, and the lifetime after issue lies within the configured bounds."""
        settings = self.services.settings
        issued = claims["iat"] + BACKDATE_SECONDS
        assert claims["nbf"] == claims["iat"]
        assert abs(issued - time.time()) < 60
        lifetime = claims["exp"] - issued
        assert settings.access_token_min_lifetime <= lifetime <= settings.access_token_max_lifetime
        if expires_in is not None:
            assert abs(expires_in - lifetime) <= 2
