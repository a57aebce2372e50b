"""Smoke test over real HTTPS: a live `tenantry serve`, MSAL Python getting a Graph token over TLS, and a
secret rotated through `/v1.0` with an ordinary HTTP client — the README's Graph walkthrough, end to end.
The server's own output must not contain any secret or token the test handled (style P3)."""

from __future__ import annotations

import gc
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msal
import pytest

from support.live_server import LiveServer, free_port
from tenantry.app import Services, build_services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.config import Settings
from tenantry.directory.models import Tenant

pytestmark = pytest.mark.compat


@dataclass(frozen=True)
class Live:
    """The server, services on its database, and the tenant the test works in."""

    server: LiveServer
    services: Services
    tenant: Tenant


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Services built on the server's home first (master and signing keys made once), then the server."""
    home: Path = tmp_path_factory.mktemp("graph-live")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        services = build_services(Settings(home=home))
    tenant = services.directory.create_tenant("Live Graph", ["live-graph.example"])
    server = LiveServer(home, free_port())
    server.start()
    try:
        yield Live(server, services, tenant)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture
def tls_env(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """MSAL uses `requests`, which reads its CA bundle from the environment."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(live.server.ca_path))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def msal_result(live: Live, client_id: str, secret: str) -> dict[str, Any]:
    """A fresh MSAL app (no cache) asking for Graph's `.default` over HTTPS."""
    app = msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        authority=f"{live.server.base_url}/{live.tenant.id}",
        instance_discovery=False,
    )
    result: dict[str, Any] = app.acquire_token_for_client(["https://graph.microsoft.com/.default"])
    if "access_token" in result:
        live.server.guard.watch("access token", result["access_token"])
    return result


@pytest.mark.usefixtures("tls_env")
def test_rotate_a_secret_over_https(live: Live) -> None:
    """An automation daemon (Application.ReadWrite.All) rotates another app's secret with Graph calls only."""
    apps, credentials = live.services.apps, live.services.credentials
    automation = apps.add_permission(
        apps.create_app(live.tenant.id, "Rotation bot"), GRAPH_APP_ID, "Application.ReadWrite.All", "Role"
    )
    apps.admin_consent(automation)
    bot_secret = credentials.add_secret(automation).secret_text
    target = apps.create_app(live.tenant.id, "Payroll daemon")
    old_secret = credentials.add_secret(target).secret_text
    for label, value in (("bot secret", bot_secret), ("old secret", old_secret)):
        live.server.guard.watch(label, value)

    token = msal_result(live, automation.app_id, bot_secret)["access_token"]
    graph = httpx.Client(
        base_url=f"{live.server.base_url}/v1.0",
        headers={"Authorization": f"Bearer {token}"},
        verify=ssl.create_default_context(cafile=str(live.server.ca_path)),
        timeout=10.0,
    )
    with graph:
        found = graph.get("/applications", params={"$filter": f"appId eq '{target.app_id}'"}).json()["value"]
        assert [a["displayName"] for a in found] == ["Payroll daemon"]
        [old] = found[0]["passwordCredentials"]
        added = graph.post(f"/applications/{found[0]['id']}/addPassword", json={"passwordCredential": {}})
        assert added.status_code == 200, added.text
        new_secret = added.json()["secretText"]
        live.server.guard.watch("new secret", new_secret)
        assert "access_token" in msal_result(live, target.app_id, new_secret)
        assert "access_token" in msal_result(live, target.app_id, old_secret)
        removed = graph.post(f"/applications/{found[0]['id']}/removePassword", json={"keyId": old["keyId"]})
        assert removed.status_code == 204
    assert msal_result(live, target.app_id, old_secret)["error_codes"] == [7000215]
    assert "access_token" in msal_result(live, target.app_id, new_secret)
