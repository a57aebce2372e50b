"""Fixtures for the compat suite: one live server per session, its world, and a wire recorder.

Tests get `env` (a `CompatEnv`, with `REQUESTS_CA_BUNDLE` pointing at the server's CA for MSAL) and,
when they need to see what a client library sent, `wire`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.live_server import LiveServer, free_port
from support.wire import SentRequest, record_requests
from support.world import CompatEnv
from tenantry.app import Services, build_services
from tenantry.config import Settings


@pytest.fixture(scope="session")
def compat_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's TENANTRY_HOME: database, master key, signing key, TLS material, captured output."""
    return tmp_path_factory.mktemp("tenantry-home")


@pytest.fixture(scope="session")
def compat_services(compat_home: Path) -> Iterator[Services]:
    """In-process services on the server's database, with exactly the settings the server reads.

    Built before the server starts, so the master key and first signing key are created once.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(compat_home))
        settings = Settings()
    services = build_services(settings)
    yield services
    services.store.dispose()


@pytest.fixture(scope="session")
def live_server(compat_home: Path, compat_services: Services) -> Iterator[LiveServer]:
    """`python -m tenantry serve` on a free port; afterwards, fail if a watched secret or token was logged (P3)."""
    server = LiveServer(compat_home, free_port())
    server.start()
    try:
        yield server
    finally:
        # Idle keep-alive connections of finished clients delay uvicorn's graceful shutdown; drop them first.
        gc.collect()
        server.stop()
    output = server.output()
    assert "Uvicorn running on https://127.0.0.1" in output, "the server's output was not captured"
    assert "POST /" in output, "the access log is missing, so the log guard saw no requests"
    leaks = server.guard.leaks(output)
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture(scope="session")
def compat_world(live_server: LiveServer, compat_services: Services) -> Iterator[CompatEnv]:
    """The shared tenant, resources and client (see `CompatEnv.create`)."""
    env = CompatEnv.create(live_server, compat_services)
    yield env
    env.close()


@pytest.fixture
def env(compat_world: CompatEnv, monkeypatch: pytest.MonkeyPatch) -> CompatEnv:
    """The world, with the environment MSAL Python needs: requests reads its CA bundle from the env."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(compat_world.ca_path))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return compat_world


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[SentRequest]:
    """Every HTTP request MSAL and azure-core send during the test, recorded but not altered."""
    return record_requests(monkeypatch)
