"""Fixtures for the browser suite: a real `tenantry serve`, Debian's Chromium driven by Playwright, and
the loopback redirect URI of a desktop app.

- One server for the suite (`live`, package scope), with a Contoso tenant and a public client ("Contoso Desktop",
  redirect URI `http://localhost`, any port as Entra allows for loopback) set up in-process on its database.
- One Chromium for the suite; each test gets a fresh context (`page`: empty cookie jar, 1100x800 viewport),
  so SSO state never leaks between tests. Chromium trusts the server's CA through an NSS database
  (see `support.chromium`), with certificate checking on.
- Without Chromium, certutil or Playwright the suite is skipped with the reason; with
  `TENANTRY_REQUIRE_BROWSER=1` (CI) it fails instead.
"""

from __future__ import annotations

import gc
import os
import ssl
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import msal
import pytest

from support.chromium import browser_required, launch, missing_requirement, trusting_home
from support.live_server import LiveServer, free_port
from tenantry.app import Services, build_services
from tenantry.apps.models import Application
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User

from .pages import WAIT_MS, Loopback, SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

DOMAIN = "contoso.example"
PASSWORD = "Br0wser-Sign-In!"
VIEWPORT: ViewportSize = {"width": 1100, "height": 800}


@dataclass(frozen=True)
class Live:
    """The running server, in-process services on its database, and the directory the tests use."""

    server: LiveServer
    services: Services
    tenant: Tenant
    desktop: Application

    @property
    def base_url(self) -> str:
        """`https://localhost:PORT`."""
        return self.server.base_url

    @property
    def authority(self) -> str:
        """The tenant-specific authority by GUID."""
        return f"{self.base_url}/{self.tenant.id}"

    def msal_app(self) -> msal.PublicClientApplication:
        """Unmodified MSAL Python: authority and `instance_discovery=False`; the CA comes from the env."""
        return msal.PublicClientApplication(self.desktop.app_id, authority=self.authority, instance_discovery=False)

    def jwks(self) -> dict[str, Any]:
        """The tenant's published signing keys."""
        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        with httpx.Client(verify=context, timeout=10.0) as client:
            response = client.get(f"{self.authority}/discovery/v2.0/keys")
        assert response.status_code == 200, response.text
        keys: dict[str, Any] = response.json()
        return keys

    def watch(self, result: dict[str, Any]) -> None:
        """Put every token of an MSAL result under the server's log guard."""
        for name in ("access_token", "refresh_token", "id_token"):
            if result.get(name):
                self.server.guard.watch(name, str(result[name]))


@pytest.fixture(scope="package")
def browser_ready() -> None:
    """Skip the suite (or fail it under TENANTRY_REQUIRE_BROWSER=1) when the browser tooling is missing."""
    reason = missing_requirement()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"TENANTRY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def live(browser_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`tenantry serve` on a free port; afterwards, no password or token may appear in its output (P3)."""
    home: Path = tmp_path_factory.mktemp("tenantry-browser")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    tenant = services.directory.create_tenant("Contoso", [DOMAIN])
    desktop = services.apps.create_app(
        tenant.id, "Contoso Desktop", redirect_uris=(("public", "http://localhost"),), public_client=True
    )
    server = LiveServer(home, free_port())
    server.guard.watch("user password", PASSWORD)
    server.start()
    try:
        yield Live(server, services, tenant, desktop)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture
def env(live: Live, monkeypatch: pytest.MonkeyPatch) -> Live:
    """MSAL Python (requests) trusts the server's CA through the environment; no proxy for localhost."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(live.server.ca_path))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return live


@pytest.fixture(scope="package")
def chromium(live: Live, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Debian Chromium whose NSS database trusts the server's development CA."""
    # Imported here: without Playwright the suite is skipped by `browser_ready` instead of failing to import.
    from playwright.sync_api import sync_playwright

    home = trusting_home(tmp_path_factory.mktemp("chromium-home"), live.server.ca_path)
    with sync_playwright() as playwright:
        browser = launch(playwright, home)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at a fixed viewport, failing fast on a missing element."""
    context = chromium.new_context(viewport=VIEWPORT, ignore_https_errors=False, locale="en-US")
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def loopback(page: Page) -> Iterator[Loopback]:
    """The desktop app's `http://localhost:PORT` redirect URI, with a listener behind it."""
    listener = Loopback(page)
    try:
        yield listener
    finally:
        listener.close()


@pytest.fixture
def pages(page: Page) -> SignInPages:
    """The sign-in pages, driven by their element ids."""
    return SignInPages(page)


@pytest.fixture
def make_user(live: Live) -> Callable[..., User]:
    """A new Contoso user of the test's own (so consent is asked afresh)."""

    def make(name: str = "user", display_name: str = "") -> User:
        upn = f"{name}-{uuid.uuid4().hex[:8]}@{DOMAIN}"
        return live.services.users.create_user(live.tenant.id, upn, PASSWORD, display_name or name.title())

    return make
