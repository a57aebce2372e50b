"""My Account in-process: a tenant of plain members (no directory role), and browsers signed in to
`/myaccount` through the real authorize flow (SSO session → code + PKCE → `/myaccount/signin`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette

from signin.browser import BASE_URL, Browser
from tenantry.app import Services, build_services, create_app
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User
from tenantry.sessions.service import SessionService

PASSWORD = "My-Account-Test-1!"
PEOPLE = ("pat", "kim", "lee", "ray", "frank", "dana")


@dataclass(frozen=True)
class Directory:
    """Contoso's members, none of them with a role; `helpdesk` is a Helpdesk Administrator."""

    tenant: Tenant
    people: dict[str, User]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Services over a fresh SQLite home."""
    home: Path = tmp_path_factory.mktemp("tenantry-myaccount")
    return build_services(Settings(home=home))


@pytest.fixture(scope="module")
def directory(services: Services) -> Directory:
    """The tenant and its members."""
    tenant = services.directory.create_tenant("Contoso", ["contoso.example"])
    people = {
        who: services.users.create_user(tenant.id, f"{who}@contoso.example", PASSWORD, who.title()) for who in PEOPLE
    }
    helpdesk = services.users.create_user(tenant.id, "helpdesk@contoso.example", PASSWORD, "Helpdesk")
    services.roles.assign_role(tenant.id, helpdesk.id, "Helpdesk Administrator")
    people["helpdesk"] = helpdesk
    return Directory(tenant, people)


@pytest.fixture(scope="module")
def app(services: Services) -> Starlette:
    """The ASGI app."""
    return create_app(services, public_url=BASE_URL)


def local(location: str) -> str:
    """A redirect to our own public URL, as a path the test client can follow."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "") if location.startswith(BASE_URL) else location


def sign_in(services: Services, app: Starlette, user: User, start: str = "/myaccount") -> Browser:
    """A browser with an SSO session for `user`, then `start` → authorize → `/myaccount/signin` → `start`."""
    browser = Browser(app)
    with services.store.transaction(write=True) as unit:
        _, token = SessionService(services.clock).start(user, unit)
    browser.set_session_cookie(token)
    response = browser.get(start)
    for _ in range(6):
        if response.status_code not in (302, 303):
            break
        response = browser.get(local(response.headers["location"]))
    return browser


@pytest.fixture
def signed_in(services: Services, app: Starlette, directory: Directory) -> Callable[[str], Browser]:
    """A freshly signed-in browser for a person."""
    return lambda who: sign_in(services, app, directory.people[who])
