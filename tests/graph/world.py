"""The Graph suite's directory and token helpers.

App-only tokens come from the real `msal.ConfidentialClientApplication`, talking to the in-process app
through the `TestClient` (MSAL takes any `requests`-like `http_client`); delegated tokens come from the
password grant posted to the same token endpoint. Directory roles are assigned through `RoleService`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import msal

from protocol.conftest import BASE_URL, Factory, Sensitive
from tenantry.app import Services
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.models import Application
from tenantry.directory.models import Tenant, User
from tenantry.directory.role_service import RoleService

DOMAIN = "graph-suite.example"
OTHER_DOMAIN = "graph-suite-fabrikam.example"
PASSWORD = "Graph-Suite-Passw0rd!"
GRAPH_DEFAULT = f"{GRAPH_URI}/.default"
DELEGATED = ("Application.ReadWrite.All", "Application.Read.All", "Directory.AccessAsUser.All", "User.Read")

GLOBAL_ADMIN = "Global Administrator"
APP_ADMIN = "Application Administrator"
CLOUD_APP_ADMIN = "Cloud Application Administrator"
PRIVILEGED_ROLE_ADMIN = "Privileged Role Administrator"


@dataclass
class GraphWorld:
    """One tenant (and a second for isolation checks), a public client consented to Graph's delegated
    scopes for user tokens, and factories for apps, users and callers."""

    services: Services
    factory: Factory
    sensitive: Sensitive
    http: Any
    tenant: Tenant
    other_tenant: Tenant
    console: Application
    reader_console: Application
    _app_tokens: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    @property
    def roles(self) -> RoleService:
        """Role assignments straight through the service (the system actor)."""
        return self.services.roles

    def token_url(self, tenant: Tenant | None = None) -> str:
        """The token endpoint path of a tenant."""
        return f"/{(tenant or self.tenant).id}/oauth2/v2.0/token"

    # --- directory objects -------------------------------------------------------------------------

    def new_app(self, name: str = "app", tenant: Tenant | None = None) -> Application:
        """A fresh app registration (the system creates it: no owner)."""
        return self.services.apps.create_app((tenant or self.tenant).id, f"{name}-{uuid.uuid4().hex[:6]}")

    def new_user(self, name: str, *roles: str, tenant: Tenant | None = None) -> User:
        """A user holding the given built-in roles."""
        home = tenant or self.tenant
        upn = f"{name}-{uuid.uuid4().hex[:6]}@{home.domains[0]}"
        user = self.services.users.create_user(home.id, upn, PASSWORD, display_name=name.title())
        for role in roles:
            self.roles.assign_role(home.id, user.id, role)
        return user

    def secret(self, app: Application) -> str:
        """A new secret of `app` (remembered for the log guard)."""
        text = self.services.credentials.add_secret(app).secret_text
        self.sensitive.add(text)
        return text

    # --- callers -----------------------------------------------------------------------------------

    def daemon(self, *permissions: str, tenant: Tenant | None = None) -> tuple[Application, str]:
        """A confidential client granted these Graph application permissions, and its secret."""
        home = tenant or self.tenant
        app = self.services.apps.create_app(home.id, f"daemon-{uuid.uuid4().hex[:6]}")
        for permission in permissions:
            app = self.services.apps.add_permission(app, GRAPH_APP_ID, permission, "Role")
        if permissions:
            self.services.apps.admin_consent(app)
        return app, self.secret(app)

    def msal_app(self, client_id: str, secret: str, tenant: Tenant | None = None) -> msal.ConfidentialClientApplication:
        """Unmodified MSAL against the in-process server."""
        authority = f"{BASE_URL}/{(tenant or self.tenant).id}"
        return msal.ConfidentialClientApplication(
            client_id, client_credential=secret, authority=authority, instance_discovery=False, http_client=self.http
        )

    def msal_token(self, client_id: str, secret: str, tenant: Tenant | None = None) -> dict[str, Any]:
        """MSAL's answer for Graph's `.default` (a fresh MSAL app each time: no cached token)."""
        result: dict[str, Any] = self.msal_app(client_id, secret, tenant).acquire_token_for_client([GRAPH_DEFAULT])
        if "access_token" in result:
            self.sensitive.add(result["access_token"])
        return result

    def app_token(self, *permissions: str, tenant: Tenant | None = None) -> str:
        """An app-only Graph token with these permissions (one daemon per permission set, reused)."""
        home = tenant or self.tenant
        key = (home.id, tuple(sorted(permissions)))
        if key not in self._app_tokens:
            app, secret = self.daemon(*permissions, tenant=home)
            result = self.msal_token(app.app_id, secret, home)
            assert "access_token" in result, result
            self._app_tokens[key] = result["access_token"]
        return self._app_tokens[key]

    def user_token(self, user: User, *scopes: str, reader: bool = False) -> str:
        """A delegated Graph token for `user` (password grant of a console app) with these scopes; Entra
        puts every scope consented for Graph in `scp`, so `reader=True` uses the console consented to
        `User.Read` alone."""
        wanted = " ".join(f"{GRAPH_URI}/{s}" for s in (scopes or ("Application.ReadWrite.All",)))
        form = {
            "grant_type": "password",
            "client_id": (self.reader_console if reader else self.console).app_id,
            "username": user.user_principal_name,
            "password": PASSWORD,
            "scope": wanted,
        }
        response: httpx.Response = self.http.post(self.token_url(), data=form)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        self.sensitive.add(token)
        return token


def auth(token: str, **headers: str) -> dict[str, str]:
    """Request headers carrying a bearer token."""
    return {"Authorization": f"Bearer {token}", **headers}


def build_graph_world(services: Services, factory: Factory, sensitive: Sensitive, http: Any) -> GraphWorld:
    """Two tenants and the admin console (a public client consented to Graph's delegated scopes)."""
    tenant = services.directory.create_tenant("Graph Suite", [DOMAIN])
    other = services.directory.create_tenant("Graph Suite Fabrikam", [OTHER_DOMAIN])
    console = services.apps.create_app(tenant.id, "Admin console", public_client=True)
    for scope in DELEGATED:
        console = services.apps.add_permission(console, GRAPH_APP_ID, scope, "Scope")
    services.apps.admin_consent(console)
    reader = services.apps.create_app(tenant.id, "Profile reader", public_client=True)
    reader = services.apps.add_permission(reader, GRAPH_APP_ID, "User.Read", "Scope")
    services.apps.admin_consent(reader)
    return GraphWorld(services, factory, sensitive, http, tenant, other, console, reader)
