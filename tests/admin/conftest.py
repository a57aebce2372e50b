"""The admin center in-process: a tenant with administrators of each kind, an app with an expired secret,
and browsers signed in to `/admin` through the real authorize flow (SSO session → code + PKCE → session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette

from signin.browser import BASE_URL, Browser
from tenantry.app import Services, build_services, create_app
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application, ServicePrincipal
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User
from tenantry.sessions.service import SessionService

PASSWORD = "Admin-Center-Test-1!"
ROLES = {
    "global": "Global Administrator",
    "apps": "Application Administrator",
    "helpdesk": "Helpdesk Administrator",
    "users": "User Administrator",
}


@dataclass(frozen=True)
class Directory:
    """Contoso: one user per role in `ROLES`, `plain` (no role) and `spare` (no role, made Global Administrator
    by a test); `payroll` has an expired secret."""

    tenant: Tenant
    people: dict[str, User]
    payroll: Application
    payroll_sp: ServicePrincipal
    graph_sp: ServicePrincipal


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Services over a fresh SQLite home."""
    home: Path = tmp_path_factory.mktemp("tenantry-admin")
    return build_services(Settings(home=home))


@pytest.fixture(scope="module")
def directory(services: Services) -> Directory:
    """The tenant, its people and the payroll app."""
    tenant = services.directory.create_tenant("Contoso", ["contoso.example"])
    people = {"plain": services.users.create_user(tenant.id, "plain@contoso.example", PASSWORD, "Pat Plain")}
    people["spare"] = services.users.create_user(tenant.id, "spare@contoso.example", PASSWORD, "Sam Spare")
    for key, role in ROLES.items():
        user = services.users.create_user(tenant.id, f"{key}@contoso.example", PASSWORD, role)
        services.roles.assign_role(tenant.id, user.id, role)
        people[key] = user
    payroll = services.apps.create_app(tenant.id, "Payroll")
    now = services.clock.now()
    services.credentials.add_secret(payroll, "old", now - timedelta(days=1), start=now - timedelta(days=200))
    sp = next(s for s in services.apps.list_service_principals(tenant.id) if s.app_id == payroll.app_id)
    graph = next(s for s in services.apps.list_service_principals(tenant.id) if s.app_id == GRAPH_APP_ID)
    return Directory(tenant, people, payroll, sp, graph)


@pytest.fixture(scope="module")
def app(services: Services) -> Starlette:
    """The ASGI app."""
    return create_app(services, public_url=BASE_URL)


def local(location: str) -> str:
    """A redirect to our own public URL, as a path the test client can follow."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "") if location.startswith(BASE_URL) else location


def sign_in(services: Services, app: Starlette, user: User) -> Browser:
    """A browser with an SSO session for `user`, then `/admin` → authorize → `/admin/signin` → `/admin`."""
    browser = Browser(app)
    with services.store.transaction(write=True) as unit:
        _, token = SessionService(services.clock).start(user, unit)
    browser.set_session_cookie(token)
    response = browser.get("/admin")
    for _ in range(6):
        if response.status_code not in (302, 303):
            break
        response = browser.get(local(response.headers["location"]))
    return browser


@pytest.fixture(scope="module")
def signed_in(services: Services, app: Starlette, directory: Directory) -> Callable[[str], Browser]:
    """A signed-in browser per person (made once)."""
    made: dict[str, Browser] = {}

    def get(who: str) -> Browser:
        if who not in made:
            made[who] = sign_in(services, app, directory.people[who])
        return made[who]

    return get
