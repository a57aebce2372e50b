"""Many processes, one SQLite data directory (issue 9, item 9): no crash, no lost write, one CA, one key.

The CLI commands run as separate processes on the server's `TENANTRY_HOME`, released together after
their imports (`support.at_once`), while the server keeps answering token and discovery requests. Before
the fix, a watcher that opened and closed SQLite's `-shm` file dropped SQLite's locks, and a third of such
writers died of SIGBUS (exit 135) or "locking protocol"; `serve` and `dev-cert` started together could
make two CAs.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.at_once import AtOnce, Finished
from support.live_server import LiveServer, free_port, server_environment
from tenantry.app import build_services
from tenantry.config import Settings
from tenantry.directory.models import Tenant

pytestmark = [pytest.mark.compat, pytest.mark.timeout(600)]

WRITERS = 16
ROUNDS = 3
DOMAIN = "writers.example"


def _failures(results: list[Finished]) -> str:
    return "\n\n".join(r.describe() for r in results if r.returncode != 0)


class Traffic(threading.Thread):
    """Token (client credentials) and discovery requests, one after another, until stopped."""

    def __init__(self, server: LiveServer, tenant: Tenant, client_id: str, secret: str) -> None:
        super().__init__(daemon=True)
        self._http = httpx.Client(
            base_url=server.base_url, verify=ssl.create_default_context(cafile=str(server.ca_path)), timeout=30.0
        )
        self._token_path = f"/{tenant.id}/oauth2/v2.0/token"
        self._discovery_path = f"/{tenant.id}/v2.0/.well-known/openid-configuration"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "api://writers-steady/.default",
        }
        self._halt = threading.Event()
        self.served = 0
        self.failures: list[str] = []

    def run(self) -> None:
        with self._http:
            while not self._halt.is_set():
                try:
                    self._check(self._http.post(self._token_path, data=self._form))
                    self._check(self._http.get(self._discovery_path))
                except httpx.HTTPError as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                self._halt.wait(0.5)

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 200:
            self.served += 1
        else:
            self.failures.append(f"{response.request.url.path}: {response.status_code} {response.text[:200]}")

    def stop(self) -> None:
        """Finish the request in flight, then end."""
        self._halt.set()
        self.join(timeout=30)


def _token_status(server: LiveServer, tenant: Tenant, client_id: str, secret: str) -> int:
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "scope": "api://writers-rotated/.default",
    }
    context = ssl.create_default_context(cafile=str(server.ca_path))
    with httpx.Client(base_url=server.base_url, verify=context, timeout=30.0) as http:
        return http.post(f"/{tenant.id}/oauth2/v2.0/token", data=form).status_code


def _tenantry(home: Path, *args: str) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "tenantry", *args, "--json"],
        env=server_environment(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def fresh_home(tmp_path: Path) -> Path:
    """A data directory nobody has used yet (the server's working directory, so it exists, empty)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return home


@pytest.fixture
def server(fresh_home: Path) -> Iterator[LiveServer]:
    """`tenantry serve` on the fresh data directory."""
    live = LiveServer(fresh_home, free_port(), extra_args=())
    live.start()
    yield live
    live.stop()


def test_sixteen_cli_writers_at_once_beside_a_busy_server_all_succeed(
    fresh_home: Path, server: LiveServer, tmp_path: Path
) -> None:
    """16 writers at once, three times, while the server serves: every one exits 0, every write is there, the
    database is intact, and the server's read cache sees a CLI secret reset at once."""
    services = build_services(Settings(home=fresh_home))
    try:
        tenant = services.directory.create_tenant("Writers", [DOMAIN])
        steady = services.apps.create_app(tenant.id, "Steady", identifier_uris=("api://writers-steady",))
        rotated = services.apps.create_app(tenant.id, "Rotated", identifier_uris=("api://writers-rotated",))
        steady_secret = services.credentials.add_secret(steady).secret_text
        rotated_secret = services.credentials.add_secret(rotated).secret_text
    finally:
        services.store.dispose()
    traffic = Traffic(server, tenant, steady.app_id, steady_secret)
    traffic.start()
    try:
        for round_ in range(ROUNDS):
            batch = AtOnce(fresh_home, tmp_path / f"round-{round_}")
            for writer in range(WRITERS - 1):
                batch.add("app", "create", "--tenant", DOMAIN, "--name", f"writer-{round_}-{writer}", "--json")
            batch.add("app", "credential", "reset", "--id", rotated.app_id, "--json")
            results = batch.run()
            assert all(r.returncode == 0 for r in results), _failures(results)
            new_secret = json.loads(results[-1].stdout)["password"]
            assert _token_status(server, tenant, rotated.app_id, new_secret) == 200, "the new secret is not seen"
            assert _token_status(server, tenant, rotated.app_id, rotated_secret) == 401, "the old secret still works"
            rotated_secret = new_secret
    finally:
        traffic.stop()
    assert not traffic.failures, "\n".join(traffic.failures[:10])
    assert traffic.served > 0
    listed = _tenantry(fresh_home, "app", "list", "--tenant", DOMAIN)
    assert isinstance(listed, list)
    names = {app["displayName"] for app in listed}
    expected = {f"writer-{r}-{w}" for r in range(ROUNDS) for w in range(WRITERS - 1)}
    assert expected <= names, f"lost writes: {sorted(expected - names)}"
    server.stop()
    with sqlite3.connect(f"file:{fresh_home / 'tenantry.db'}?mode=ro", uri=True) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _handshake(port: int, ca: Path) -> bool:
    try:
        context = ssl.create_default_context(cafile=str(ca))
        with (
            socket.create_connection(("127.0.0.1", port), timeout=1) as raw,
            context.wrap_socket(raw, server_hostname="localhost"),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


def test_processes_started_together_on_a_fresh_home_agree_on_one_ca_and_one_master_key(tmp_path: Path) -> None:
    """`serve`, `dev-cert --ca-path` and other commands started at once on a directory that does not exist yet:
    all succeed, all see the same CA and the same master key, and the server's certificate chains to that CA."""
    home, port = tmp_path / "home", free_port()
    batch = AtOnce(home, tmp_path / "launch")
    for _ in range(4):
        batch.add("dev-cert", "--ca-path", then_print=home / "tls" / "ca.pem")
    for _ in range(4):
        batch.add("keys", "list", "--json", then_print=home / "master.key")
    with (tmp_path / "serve.log").open("w") as log:
        serve = batch.add_background(log, "serve", "--host", "127.0.0.1", "--port", str(port))
        try:
            results = batch.run()
            deadline = time.monotonic() + 60
            while not _handshake(port, home / "tls" / "ca.pem") and serve.poll() is None:
                assert time.monotonic() < deadline, "the server's certificate does not chain to the CA"
                time.sleep(0.1)
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    server_output = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in server_output and "Uvicorn running" in server_output, server_output
    assert all(r.returncode == 0 for r in results), _failures(results)
    cas = {r.stdout.split("\n", 1)[1] for r in results[:4]}
    assert cas == {(home / "tls" / "ca.pem").read_text()}, "the commands saw different CAs"
    keys = {r.stdout.rsplit("\n", 1)[-1] for r in results[4:]}
    assert keys == {(home / "master.key").read_text()}, "the commands used different master keys"
    signing = {json.dumps(json.loads(r.stdout.rsplit("\n", 1)[0])) for r in results[4:]}
    assert len(signing) == 1, "the commands saw different signing keys"
    assert os.stat(home).st_mode & 0o777 == 0o700
