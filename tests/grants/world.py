"""The user-grant suite's directory: one tenant with users, APIs exposing delegated scopes, and client
apps of every platform (web, SPA, desktop), plus a second tenant for cross-tenant cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from protocol.conftest import Client, Factory, Sensitive
from tenantry.app import Services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant, User

DOMAIN = "grants.example"
OTHER_DOMAIN = "fabrikam-grants.example"
ORDERS_URI = "api://grants/orders"
STOCK_URI = "https://stock.grants.example"
MIDDLE_URI = "api://grants/middle"
WEB_REDIRECT = "https://app.grants.example/callback"
SPA_REDIRECT = "https://spa.grants.example/"
SPA_ORIGIN = "https://spa.grants.example"
NATIVE_REDIRECT = "http://localhost"
PASSWORD = "Correct-Horse-9-Battery"
VERIFIER = "verifier-" + "x" * 40
OIDC = "openid profile offline_access"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


# --------------------------------------------------------------------------------------------------
# The directory
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantsWorld:
    """What the suite signs into; see the `grants` fixture for each member's role."""

    services: Services
    sensitive: Sensitive
    tenant: Tenant
    other_tenant: Tenant
    orders: Application
    stock: Application
    middle: Client
    web: Client
    spa: Client
    native: Client
    unconsented: Client
    alice: User
    stranger: User

    def token_path(self, segment: str | None = None) -> str:
        """`/{tenant}/oauth2/v2.0/token` (default: the tenant's GUID)."""
        return f"/{segment or self.tenant.id}/oauth2/v2.0/token"

    def new_user(self, name: str, *, tenant: Tenant | None = None, mail: str | None = None) -> User:
        """A fresh user with the suite's password, so a test can disable or revoke it without side effects."""
        return create_user(self.services, tenant or self.tenant, name, mail)

    def update_user(self, user: User, **changes: Any) -> User:
        """Store a changed copy of the user (disable, revoke sessions, password change …)."""
        updated = replace(user, **changes)
        with self.services.store.transaction(write=True) as unit:
            unit.update_user(updated)
        return updated

    def provision(self, client: Client, tenant: Tenant) -> None:
        """Give the client a service principal in another tenant (as a multi-tenant app's consent would)."""
        with self.services.store.transaction(write=True) as unit:
            if unit.find_service_principal_by_app_id(tenant.id, client.client_id) is None:
                sp = ServicePrincipal(
                    new_guid(), tenant.id, client.client_id, client.app.display_name, datetime.now(UTC)
                )
                unit.add_service_principal(sp)

    def update_app(self, app: Application, **changes: Any) -> Application:
        """Store a changed copy of an app registration (e.g. its sign-in audience)."""
        updated = replace(app, **changes)
        with self.services.store.transaction(write=True) as unit:
            unit.update_application(updated)
        return updated


def _consented_client(
    factory: Factory,
    tenant: Tenant,
    name: str,
    scopes: Mapping[str, tuple[str, ...]],
    *,
    secret: bool = True,
    public: bool = False,
    redirect_uris: tuple[tuple[str, str], ...] = (),
) -> Client:
    """A client app requiring `scopes` {api appId: values}, all granted by admin consent."""
    apps = factory.services.apps
    app = apps.create_app(tenant.id, name, redirect_uris=redirect_uris, public_client=public)
    for api_app_id, values in scopes.items():
        for value in values:
            app = apps.add_permission(app, api_app_id, value, "Scope")
    apps.admin_consent(app)
    return Client(app, factory.secret(app) if secret else None)


def _api(
    factory: Factory, tenant: Tenant, name: str, uri: str, scopes: tuple[str, ...], version: int | None
) -> Application:
    """A resource app exposing delegated `scopes` (`*.Admin` ones need admin consent)."""
    apps = factory.services.apps
    app = apps.create_app(tenant.id, name, identifier_uris=(uri,), access_token_version=version)
    for value in scopes:
        apps.add_scope(app, value, "Admin" if value.endswith(".Admin") else "User")
        app = apps.find_app(app.app_id) or app
    return app


def _assign_user_role(services: Services, tenant: Tenant, api: Application, user: User, value: str) -> Application:
    """Expose a user role on `api` and assign it to `user`."""
    services.apps.add_app_role(api, value, member_types=("User",))
    fresh = services.apps.find_app(api.app_id)
    assert fresh is not None
    role = next(r for r in fresh.app_roles if r.value == value)
    with services.store.transaction(write=True) as unit:
        sp = unit.find_service_principal_by_app_id(tenant.id, api.app_id)
        assert sp is not None
        unit.add_assignment(
            AppRoleAssignment(new_guid(), tenant.id, user.id, "User", sp.id, role.id, datetime.now(UTC))
        )
    return fresh


def create_user(services: Services, tenant: Tenant, name: str, mail: str | None = None) -> User:
    """A fresh user with the suite's password and a unique UPN."""
    upn = f"{name}-{uuid.uuid4().hex[:8]}@{tenant.domains[0]}"
    return services.users.create_user(tenant.id, upn, PASSWORD, display_name=name.title(), mail=mail)


def build_grants_world(factory: Factory, sensitive: Sensitive) -> GrantsWorld:
    """Create the suite's directory once."""
    services = factory.services
    tenant = factory.tenant("Grants", [DOMAIN])
    other = factory.tenant("Fabrikam Grants", [OTHER_DOMAIN])
    alice = create_user(services, tenant, "alice", mail="alice@mail.grants.example")
    orders = _api(factory, tenant, "Orders", ORDERS_URI, ("Orders.Read", "Orders.Admin"), None)
    orders = _assign_user_role(services, tenant, orders, alice, "Orders.Approver")
    stock = _api(factory, tenant, "Stock", STOCK_URI, ("Stock.Read",), 2)
    middle_app = _api(factory, tenant, "Middle tier", MIDDLE_URI, ("access_as_user",), 2)
    middle_app = services.apps.add_permission(middle_app, orders.app_id, "Orders.Read", "Scope")
    services.apps.admin_consent(middle_app)
    everything = {
        GRAPH_APP_ID: ("User.Read",),
        orders.app_id: ("Orders.Read",),
        stock.app_id: ("Stock.Read",),
        middle_app.app_id: ("access_as_user",),
    }
    return GrantsWorld(
        services=services,
        sensitive=sensitive,
        tenant=tenant,
        other_tenant=other,
        orders=orders,
        stock=stock,
        middle=Client(middle_app, factory.secret(middle_app)),
        web=_consented_client(factory, tenant, "Web app", everything, redirect_uris=(("web", WEB_REDIRECT),)),
        spa=_consented_client(factory, tenant, "SPA", everything, secret=False, redirect_uris=(("spa", SPA_REDIRECT),)),
        native=_consented_client(
            factory,
            tenant,
            "Desktop",
            everything,
            secret=False,
            public=True,
            redirect_uris=(("public", NATIVE_REDIRECT),),
        ),
        unconsented=factory.client(tenant, "Unconsented desktop", secret=False, public=True),
        alice=alice,
        stranger=create_user(services, other, "stranger"),
    )
