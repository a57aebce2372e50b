"""Fixtures of the smart lockout suite: one app per state backend (the database, and Redis with a key
prefix of the module's own), on a `ShiftableClock`, talked to over HTTP from two loopback addresses.

`TestClient(client=(address, port))` sets the ASGI scope's `client`, which is what uvicorn fills in from
the socket: 127.0.0.1 is the users' usual address and 127.0.0.2 an attacker's (two locations, issue 12 §7).
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from signin.browser import ShiftableClock
from support.redis import redis_prefix, require_redis
from tenantry.app import Services, build_services, create_app
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

BASE_URL = "https://localhost:8443"
DOMAIN = "lockout.example"
API_URI = "api://lockout/orders"
SCOPE = f"{API_URI}/Orders.Read openid"
PASSWORD = "Lockout-Test-Passw0rd!"
HOME_IP = "127.0.0.1"
ATTACKER_IP = "127.0.0.2"
BACKENDS = [pytest.param("database", id="database"), pytest.param("redis", id="redis")]


@dataclass
class LockoutWorld:
    """Tenant `lockout.example`, an API, a public client consented to it, and a Graph daemon allowed to
    reset (and so unlock) the passwords of users without an admin role."""

    services: Services
    tenant: Tenant
    client_id: str
    daemon_id: str
    daemon_secret: str
    settings: Settings

    def new_user(self, name: str = "user") -> User:
        """A fresh user with the suite's password."""
        upn = f"{name}-{uuid.uuid4().hex[:8]}@{DOMAIN}"
        return self.services.users.create_user(self.tenant.id, upn, PASSWORD, name.title())

    def ropc(self, client: TestClient, user: User | str, password: str = PASSWORD) -> httpx.Response:
        """ROPC as MSAL sends it, from `client`'s address."""
        upn = user if isinstance(user, str) else user.user_principal_name
        form = {
            "grant_type": "password",
            "client_id": self.client_id,
            "client_info": "1",
            "username": upn,
            "password": password,
            "scope": SCOPE,
        }
        return client.post(f"/{self.tenant.id}/oauth2/v2.0/token", data=form)

    def graph_token(self, client: TestClient) -> str:
        """An app-only Graph token of the daemon (User-PasswordProfile.ReadWrite.All)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.daemon_id,
            "client_secret": self.daemon_secret,
            "scope": "https://graph.microsoft.com/.default",
        }
        answer = client.post(f"/{self.tenant.id}/oauth2/v2.0/token", data=form)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Where the lockout state lives: `database` or `redis`."""
    return str(request.param)


@pytest.fixture(scope="module")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A fresh home; with Redis, a key prefix of the module's own (its keys deleted afterwards)."""
    home: Path = tmp_path_factory.mktemp(f"tenantry-lockout-{backend}")
    if backend != "redis":
        yield Settings(home=home)
        return
    url = require_redis()
    with redis_prefix(url) as prefix:
        yield Settings(home=home, redis_url=url, redis_key_prefix=prefix)


@pytest.fixture(scope="module")
def shiftable_clock() -> ShiftableClock:
    """The clock the module's app runs on."""
    return ShiftableClock()


@pytest.fixture
def clock(shiftable_clock: ShiftableClock) -> Iterator[ShiftableClock]:
    """The app's clock, for a test that moves time; put back afterwards."""
    yield shiftable_clock
    shiftable_clock.reset()


@pytest.fixture(scope="module")
def services(settings: Settings, shiftable_clock: ShiftableClock) -> Iterator[Services]:
    """Services over the module's home and backend."""
    services = build_services(settings, clock=shiftable_clock)
    yield services
    services.store.dispose()


def _world(services: Services, settings: Settings) -> LockoutWorld:
    tenant = services.directory.create_tenant("Lockout", [DOMAIN])
    apps = services.apps
    api = apps.create_app(tenant.id, "Orders API", identifier_uris=(API_URI,))
    apps.add_scope(api, "Orders.Read", "User", "Read your orders")
    native = apps.create_app(tenant.id, "Desktop", redirect_uris=(("public", "http://localhost"),), public_client=True)
    native = apps.add_permission(native, api.app_id, "Orders.Read", "Scope")
    apps.admin_consent(native)
    daemon = apps.create_app(tenant.id, "Helpdesk daemon")
    daemon = apps.add_permission(daemon, GRAPH_APP_ID, "User-PasswordProfile.ReadWrite.All", "Role")
    apps.admin_consent(daemon)
    secret = services.credentials.add_secret(daemon).secret_text
    return LockoutWorld(services, tenant, native.app_id, daemon.app_id, secret, settings)


@pytest.fixture(scope="module")
def world(services: Services, settings: Settings) -> LockoutWorld:
    """See `LockoutWorld`."""
    return _world(services, settings)


@pytest.fixture(scope="module")
def app(services: Services) -> Starlette:
    """The module's ASGI app."""
    return create_app(services, public_url=BASE_URL)


def client_at(app: Starlette, address: str) -> TestClient:
    """A client whose requests come from `address` (the ASGI scope's `client`)."""
    return TestClient(app, base_url=BASE_URL, client=(address, 50000))


@pytest.fixture(scope="module")
def home(app: Starlette) -> Iterator[TestClient]:
    """Requests from the users' usual address."""
    with client_at(app, HOME_IP) as client:
        yield client


@pytest.fixture(scope="module")
def attacker(app: Starlette) -> Iterator[TestClient]:
    """Requests from an address the users never signed in from."""
    with client_at(app, ATTACKER_IP) as client:
        yield client


def error_code(answer: httpx.Response) -> int:
    """The AADSTS code of an error answer (0 for a success)."""
    if answer.status_code == 200:
        return 0
    body: dict[str, Any] = answer.json()
    return int(body["error_codes"][0])
