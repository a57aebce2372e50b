"""One public URL (issue 9, item 7): the issuer and every published URL are the public URL's, whatever host
name a request uses, and the CLI's links point at the server that runs on the data directory.

Each test has a server of its own on a free port (never 8443), started as an operator would, with its
own data directory: `https://localhost:P` by default, or `--public-url`. The CLI runs as a separate
process on the same `TENANTRY_HOME`, without `TENANTRY_PUBLIC_URL`.
"""

from __future__ import annotations

import gc
import json
import os
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.live_server import LiveServer, free_port, server_environment
from support.tokens import decode_unverified
from tenantry.app import build_services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application
from tenantry.config import Settings
from tenantry.directory.models import Tenant

pytestmark = pytest.mark.compat

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass(frozen=True)
class Served:
    """A running server, its tenant, and a daemon holding Graph's `Application.Read.All` (with its secret)."""

    server: LiveServer
    tenant: Tenant
    daemon: Application
    secret: str

    def http(self, host: str) -> httpx.Client:
        """A client of `https://{host}:PORT`, trusting the server's development CA (its certificate names
        `localhost` and `127.0.0.1`)."""
        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        return httpx.Client(base_url=f"https://{host}:{self.server.port}", verify=context, timeout=10.0)

    def token(self, host: str) -> str:
        """A Graph access token got from the token endpoint under `host`."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.daemon.app_id,
            "client_secret": self.secret,
            "scope": GRAPH_SCOPE,
        }
        with self.http(host) as http:
            response = http.post(f"/{self.tenant.id}/oauth2/v2.0/token", data=form)
        assert response.status_code == 200, response.text
        token = str(response.json()["access_token"])
        self.server.guard.watch(f"access token via {host}", token)
        return token


def _serve(home: Path, *extra: str) -> Iterator[Served]:
    """Directory objects made in-process on `home` first (keys made once), then `tenantry serve` on it."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("Public URL", ["public-url.example"])
        apps = services.apps
        daemon = apps.add_permission(apps.create_app(tenant.id, "Daemon"), GRAPH_APP_ID, "Application.Read.All", "Role")
        apps.admin_consent(daemon)
        secret = services.credentials.add_secret(daemon).secret_text
    finally:
        services.store.dispose()
    port = free_port()
    server = LiveServer(home, port, extra_args=("--access-log", *(a.replace("{port}", str(port)) for a in extra)))
    server.guard.watch("daemon secret", secret)
    server.start()
    try:
        yield Served(server, tenant, daemon, secret)
    finally:
        gc.collect()
        server.stop()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server started with `--port P` only: its public URL is `https://localhost:P`."""
    yield from _serve(tmp_path_factory.mktemp("public-url-default"))


@pytest.fixture
def named(tmp_path: Path) -> Iterator[Served]:
    """A server on 127.0.0.1 started with `--public-url https://login.example.test:P` (a name it is never called by)."""
    yield from _serve(tmp_path / "home", "--public-url", "https://login.example.test:{port}")


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m tenantry ...` as another process on the same data directory, without TENANTRY_PUBLIC_URL."""
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        cwd=home,
        env=server_environment(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _share_link(served: Served) -> tuple[str, subprocess.CompletedProcess[str]]:
    """A new secret of the daemon behind a one-time link, made by the CLI; the link and the CLI's run."""
    result = _cli(
        served.server.home,
        "app",
        "credential",
        "reset",
        "--id",
        served.daemon.app_id,
        "--append",
        "--share-link",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["shareLink"]), result


def test_tokens_got_under_either_host_name_carry_one_issuer_and_graph_takes_both(served: Served) -> None:
    """A token from `https://localhost:P` works on Graph at `https://127.0.0.1:P` and the other way round;
    both say `iss` under the public URL."""
    via_localhost, via_ip = served.token("localhost"), served.token("127.0.0.1")
    issuers = {decode_unverified(t).claims["iss"] for t in (via_localhost, via_ip)}
    assert issuers == {f"{served.server.base_url}/{served.tenant.id}/"}, issuers
    for host, token in (("127.0.0.1", via_localhost), ("localhost", via_ip)):
        with served.http(host) as http:
            response = http.get("/v1.0/applications", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, f"Graph on {host}: {response.text}"
        assert response.json()["@odata.context"].startswith(f"{served.server.base_url}/v1.0/$metadata")


def test_discovery_under_another_host_name_lists_the_public_url(served: Served) -> None:
    """openid-configuration, device code and user realm fetched through 127.0.0.1 name `https://localhost:P`."""
    public = served.server.base_url
    with served.http("127.0.0.1") as http:
        config = http.get(f"/{served.tenant.id}/v2.0/.well-known/openid-configuration").json()
        form = {"client_id": served.daemon.app_id, "client_secret": served.secret, "scope": "openid"}
        device = http.post(f"/{served.tenant.id}/oauth2/v2.0/devicecode", data=form)
        realm = http.get("/common/userrealm/someone@public-url.example", params={"api-version": "1.0"}).json()
    assert config["issuer"] == f"{public}/{served.tenant.id}/v2.0"
    urls = [value for name, value in config.items() if name.endswith(("_endpoint", "_uri"))]
    assert len(urls) >= 6 and all(url.startswith(f"{public}/") for url in urls), urls
    assert device.status_code == 200, device.text
    assert device.json()["verification_uri"] == f"{public}/devicelogin"
    assert realm["cloud_instance_name"] == "localhost"


def test_a_cli_share_link_points_at_the_running_server(served: Served) -> None:
    """`app credential reset --share-link` in another process finds the server's port in the data directory;
    the link opens (200), reveals once (200) and is gone after (410)."""
    record = json.loads((served.server.home / "server.json").read_text(encoding="utf-8"))
    assert (record["public_url"], record["ports"], record["running"]) == (
        served.server.base_url,
        [served.server.port],
        True,
    )
    assert stat.S_IMODE((served.server.home / "server.json").stat().st_mode) == 0o600
    link, result = _share_link(served)
    assert link.startswith(f"{served.server.base_url}/share/"), link
    assert "Note:" not in result.stderr
    with served.http("localhost") as http:
        assert http.get(link).status_code == 200
        revealed = http.post(link)
        assert revealed.status_code == 200
        assert http.post(link).status_code == 410


def test_public_url_option_sets_the_issuer_and_the_cli_keeps_it_after_exit(named: Served) -> None:
    """With `--public-url https://login.example.test:P`, tokens and discovery got through 127.0.0.1 name that
    URL and Graph on 127.0.0.1 accepts them; once the server has stopped, a CLI link still points there
    (the last known URL, with a note on stderr)."""
    public = f"https://login.example.test:{named.server.port}"
    token = named.token("127.0.0.1")
    assert decode_unverified(token).claims["iss"] == f"{public}/{named.tenant.id}/"
    with named.http("127.0.0.1") as http:
        config = http.get(f"/{named.tenant.id}/v2.0/.well-known/openid-configuration").json()
        graph = http.get("/v1.0/applications", headers={"Authorization": f"Bearer {token}"})
    assert config["issuer"] == f"{public}/{named.tenant.id}/v2.0"
    assert config["token_endpoint"] == f"{public}/{named.tenant.id}/oauth2/v2.0/token"
    assert graph.status_code == 200, graph.text

    named.server.stop()
    record = json.loads((named.server.home / "server.json").read_text(encoding="utf-8"))
    assert (record["public_url"], record["running"]) == (public, False)
    link, result = _share_link(named)
    assert link.startswith(f"{public}/share/"), link
    assert "no server is running" in result.stderr
