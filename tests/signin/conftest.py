"""Fixtures for the interactive sign-in suite: /authorize, the sign-in pages, SSO sessions, logout,
admin consent and the device-code approval page, all in-process over Starlette's `TestClient`.

Every test gets its own `Browser` (a fresh cookie jar on the shared app, redirects followed by hand).
The app runs on a `ShiftableClock`: real time plus an offset a test may move (reset after each test),
so max_age, session idleness and flow expiry are tested without sleeping.
"""

from __future__ import annotations

import logging
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tenantry.app import Services, build_services, create_app
from tenantry.apps.models import Application, SignInAudience
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User
from tenantry.directory.role_service import RoleService
from tenantry.server.logs import record_fields
from tenantry.sessions.service import SessionService

from .browser import BASE_URL, Browser, ShiftableClock

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.applications import Starlette

PASSWORD = "Corr3ct-Horse!"
DOMAIN = "contoso.example"
OTHER_DOMAIN = "fabrikam.example"
ORDERS_URI = "api://contoso/orders"
WEB_REDIRECT = "https://app.contoso.example/signin-oidc"
SPA_REDIRECT = "https://spa.contoso.example/"
NATIVE_REDIRECT = "http://localhost"
LOGOUT_REDIRECT = "https://app.contoso.example/signed-out"


@dataclass(frozen=True)
class World:
    """The suite's directory; see the `world` fixture for what each member is for."""

    tenant: Tenant
    other_tenant: Tenant
    alice: User
    bob: User
    admin: User
    stranger: User
    web: Application
    native: Application
    spa: Application
    implicit: Application
    multi: Application
    disabled: Application
    assigned: Application
    orders: Application
    retired_api: Application
    needs_admin: Application
    foreign: Application

    def authorize_path(self, segment: str | None = None) -> str:
        """`/{tenant}/oauth2/v2.0/authorize` (default: the main tenant's GUID)."""
        return f"/{segment or self.tenant.id}/oauth2/v2.0/authorize"


def _update(services: Services, app: Application, **changes: object) -> Application:
    with services.store.transaction(write=True) as unit:
        unit.update_application(replace(app, **changes))  # type: ignore[arg-type]
    fresh = services.apps.find_app(app.app_id)
    assert fresh is not None
    return fresh


def role_service(services: Services) -> RoleService:
    """Directory role assignments, as the CLI makes them."""
    return services.roles


def build_world(services: Services) -> World:
    """Contoso with users, client apps of every platform, and APIs exposing user and admin scopes."""
    tenant = services.directory.create_tenant("Contoso", [DOMAIN])
    other = services.directory.create_tenant("Fabrikam", [OTHER_DOMAIN])
    users = services.users
    alice = users.create_user(tenant.id, f"alice@{DOMAIN}", PASSWORD, "Alice Smith", mail=f"alice@{DOMAIN}")
    bob = users.create_user(tenant.id, f"bob@{DOMAIN}", PASSWORD, "Bob Jones")
    admin = users.create_user(tenant.id, f"admin@{DOMAIN}", PASSWORD, "Ada Admin")
    stranger = users.create_user(other.id, f"erin@{OTHER_DOMAIN}", PASSWORD, "Erin Fabrikam")
    role_service(services).assign_role(tenant.id, admin.id, "Global Administrator")

    apps = services.apps
    orders = apps.create_app(tenant.id, "Orders API", identifier_uris=(ORDERS_URI,))
    apps.add_scope(orders, "Orders.Read", "User", "Read your orders")
    orders = _fresh(services, orders)
    apps.add_scope(orders, "Orders.Manage", "Admin", "Manage all orders")
    orders = _fresh(services, orders)
    retired = apps.create_app(tenant.id, "Retired API", identifier_uris=("api://contoso/retired",))
    apps.add_scope(retired, "Old.Read", "User")
    apps.update_service_principal(tenant.id, retired.app_id, enabled=False)

    def client(name: str, *redirects: tuple[str, str], public: bool = False) -> Application:
        return apps.create_app(tenant.id, name, redirect_uris=redirects, public_client=public)

    web = client("Contoso Web", ("web", WEB_REDIRECT), ("web", LOGOUT_REDIRECT))
    native = client("Contoso Desktop", ("public", NATIVE_REDIRECT), public=True)
    spa = client("Contoso SPA", ("spa", SPA_REDIRECT))
    implicit = _update(services, client("Contoso Hybrid", ("web", WEB_REDIRECT)), enable_id_token_issuance=True)
    multi = _update(
        services, client("Contoso Multi", ("web", WEB_REDIRECT)), sign_in_audience=SignInAudience.MULTIPLE_ORGS
    )
    disabled = client("Disabled Web", ("web", WEB_REDIRECT))
    apps.update_service_principal(tenant.id, disabled.app_id, enabled=False)
    assigned = client("Assigned Web", ("web", WEB_REDIRECT))
    apps.update_service_principal(tenant.id, assigned.app_id, assignment_required=True)
    needs_admin = client("Admin Consent Web", ("web", WEB_REDIRECT))
    needs_admin = apps.add_permission(needs_admin, orders.app_id, "Orders.Read", "Scope")
    needs_admin = apps.add_permission(needs_admin, orders.app_id, "Orders.Manage", "Scope")
    foreign = apps.create_app(other.id, "Fabrikam Web", redirect_uris=(("web", WEB_REDIRECT),))
    return World(
        tenant=tenant,
        other_tenant=other,
        alice=alice,
        bob=bob,
        admin=admin,
        stranger=stranger,
        web=web,
        native=native,
        spa=spa,
        implicit=implicit,
        multi=multi,
        disabled=disabled,
        assigned=assigned,
        orders=orders,
        retired_api=retired,
        needs_admin=needs_admin,
        foreign=foreign,
    )


def _fresh(services: Services, app: Application) -> Application:
    found = services.apps.find_app(app.app_id)
    assert found is not None
    return found


@pytest.fixture(scope="session")
def shiftable_clock() -> ShiftableClock:
    """The clock the app runs on."""
    return ShiftableClock()


@pytest.fixture
def clock(shiftable_clock: ShiftableClock) -> Iterator[ShiftableClock]:
    """The app's clock, for a test that moves time; put back afterwards."""
    yield shiftable_clock
    shiftable_clock.reset()


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, shiftable_clock: ShiftableClock) -> Services:
    """Services over a fresh SQLite home."""
    home: Path = tmp_path_factory.mktemp("tenantry-signin")
    return build_services(Settings(home=home), clock=shiftable_clock)


@pytest.fixture(scope="session")
def world(services: Services) -> World:
    """Contoso and Fabrikam.

    - users: alice, bob, admin (Global Administrator) in Contoso; erin (`stranger`) in Fabrikam.
    - clients: `web` (confidential web), `native` (public client, http://localhost), `spa`, `implicit`
      (id tokens from /authorize enabled), `multi` (multi-tenant), `disabled` (SP disabled), `assigned`
      (assignment required), `needs_admin` (requires Orders.Read and the admin-only Orders.Manage),
      `foreign` (registered in Fabrikam).
    - APIs: `orders` (api://contoso/orders: Orders.Read user scope, Orders.Manage admin scope),
      `retired_api` (SP disabled).
    """
    return build_world(services)


@pytest.fixture(scope="session")
def app(services: Services) -> Starlette:
    """The ASGI app, shared by every browser."""
    return create_app(services, public_url=BASE_URL)


@pytest.fixture
def browser(app: Starlette, world: World) -> Browser:
    """A fresh browser (own cookie jar) on the shared app."""
    return Browser(app)


@pytest.fixture
def sessions(services: Services) -> SessionService:
    """Starts SSO sessions directly, for tests about what happens once someone is signed in."""
    return SessionService(services.clock)


def sign_in_directly(services: Services, browser: Browser, user: User) -> str:
    """Give `browser` an SSO session for `user` without the pages, authenticated at the app clock's "now"
    (shift the clock first to back-date it); returns the session id."""
    with services.store.transaction(write=True) as unit:
        session, token = SessionService(services.clock).start(user, unit)
    browser.set_session_cookie(token)
    return session.id


@pytest.fixture
def make_user(services: Services, world: World) -> Callable[..., User]:
    """A new Contoso user of the test's own, for tests that change a user (password, revocation)."""

    def make(name: str = "user", tenant: Tenant | None = None) -> User:
        target = tenant or world.tenant
        domain = target.domains[0]
        return services.users.create_user(target.id, f"{name}-{uuid.uuid4().hex[:8]}@{domain}", PASSWORD, name)

    return make


def update_user(services: Services, user: User, **changes: object) -> User:
    """Store a changed user (as an admin action would), e.g. a password change or a session revocation."""
    changed = replace(user, **changes)  # type: ignore[arg-type]
    with services.store.transaction(write=True) as unit:
        unit.update_user(changed)
    return changed


OPAQUE_VALUE = re.compile(r"\b(?:ac|ss|fl|rt|dc)\.[A-Za-z0-9_-]{43}")


@pytest.fixture(autouse=True)
def log_guard(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test when a code, session token, flow handle or password reaches the logs (SQL included):
    the store holds only hashes of opaque values, and nothing logs them (style P3)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    yield
    text = "\n".join([caplog.text, *(f"{r.getMessage()} {r.args!r} {record_fields(r)!r}" for r in caplog.records)])
    leaks = [m.group(0)[:6] + "…" for m in OPAQUE_VALUE.finditer(text)]
    assert not leaks and PASSWORD not in text, f"sensitive values in logs: {leaks}"
