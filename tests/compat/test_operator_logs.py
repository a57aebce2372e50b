"""Operator logs of the real server (issue 10 §3, style P3): a user reports "AADSTS7000215, trace id X"
and the operator finds X in the log, on one line with the code, the client, the tenant and the reason.

Each test runs `tenantry serve --access-log` of its own, once with `TENANTRY_LOG_FORMAT=json` (every line
of the output must then be a JSON object) and once with the default text format. The run: a client
credentials request with a wrong secret (7000215), a password grant with a wrong password (50126), a
successful client-credentials token and a device code that is started and polled once (pending). Every
secret value of the run (the right and wrong secrets and passwords, the token, the device and user codes)
goes under the server's log guard, and none may appear anywhere in the output.
"""

from __future__ import annotations

import gc
import json
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.live_server import LiveServer, free_port
from tenantry.app import Services, build_services
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.models import Application
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User

pytestmark = pytest.mark.compat

DOMAIN = "oplogs.example"
PASSWORD = "Op-Logs-Passw0rd!"
WRONG_PASSWORD = "Wrong-Op-Passw0rd?"
WRONG_SECRET = "Wr0ng~Secret~value~of~the~operator~log~test"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class Run:
    """The server and its directory, made in-process on its database."""

    server: LiveServer
    tenant: Tenant
    user: User
    daemon: Application
    daemon_secret: str
    desktop: Application

    def path(self, endpoint: str) -> str:
        """`/{tenant}/oauth2/v2.0/<endpoint>`."""
        return f"/{self.tenant.id}/oauth2/v2.0/{endpoint}"

    def client(self) -> httpx.Client:
        """HTTPS to the server, trusting its development CA."""
        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        return httpx.Client(base_url=self.server.base_url, verify=context, timeout=15.0)


def start_run(home: Path, log_format: str | None) -> Run:
    """A tenant with a user, a Graph daemon with a secret and a public desktop app; the server started."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services: Services = build_services(Settings())
    try:
        tenant = services.directory.create_tenant("Operator Logs", [DOMAIN])
        user = services.users.create_user(tenant.id, f"olga@{DOMAIN}", PASSWORD, "Olga Ops")
        daemon = services.apps.create_app(tenant.id, "Nightly job")
        daemon = services.apps.add_permission(daemon, GRAPH_APP_ID, "Application.Read.All", "Role")
        services.apps.admin_consent(daemon)
        secret = services.credentials.add_secret(daemon, "nightly").secret_text
        desktop = services.apps.create_app(tenant.id, "Ops desktop", public_client=True)
    finally:
        services.store.dispose()
    settings = {"TENANTRY_LOG_FORMAT": log_format} if log_format else {}
    server = LiveServer(home, free_port(), settings=settings)
    for label, value in [
        ("daemon secret", secret),
        ("wrong secret", WRONG_SECRET),
        ("user password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
    ]:
        server.guard.watch(label, value)
    server.start()
    return Run(server, tenant, user, daemon, secret, desktop)


@pytest.fixture
def json_run(tmp_path: Path) -> Iterator[Run]:
    """A server logging JSON lines."""
    run = start_run(tmp_path, "json")
    try:
        yield run
    finally:
        gc.collect()
        run.server.stop()


@pytest.fixture
def text_run(tmp_path: Path) -> Iterator[Run]:
    """A server logging readable text (the default)."""
    run = start_run(tmp_path, None)
    try:
        yield run
    finally:
        gc.collect()
        run.server.stop()


@dataclass(frozen=True)
class Refused:
    """The trace ids of the run's two refusals."""

    wrong_secret: str
    wrong_password: str


def exercise(run: Run) -> Refused:
    """The run's requests (see the module docstring); returns the trace ids the clients were given."""
    guard = run.server.guard
    with run.client() as http:
        refused = http.post(
            run.path("token"),
            data={
                "grant_type": "client_credentials",
                "client_id": run.daemon.app_id,
                "client_secret": WRONG_SECRET,
                "scope": f"{GRAPH_URI}/.default",
            },
        )
        assert refused.status_code == 401 and refused.json()["error_codes"] == [7000215], refused.text
        ropc = http.post(
            run.path("token"),
            data={
                "grant_type": "password",
                "client_id": run.desktop.app_id,
                "username": run.user.user_principal_name,
                "password": WRONG_PASSWORD,
                "scope": "openid profile User.Read",
            },
        )
        assert ropc.status_code == 400 and ropc.json()["error_codes"] == [50126], ropc.text
        issued = http.post(
            run.path("token"),
            data={
                "grant_type": "client_credentials",
                "client_id": run.daemon.app_id,
                "client_secret": run.daemon_secret,
                "scope": f"{GRAPH_URI}/.default",
            },
        )
        assert issued.status_code == 200, issued.text
        guard.watch("access token", issued.json()["access_token"])
        device = http.post(run.path("devicecode"), data={"client_id": run.desktop.app_id, "scope": "User.Read"})
        assert device.status_code == 200, device.text
        guard.watch("device code", device.json()["device_code"])
        guard.watch("user code", device.json()["user_code"])
        poll = http.post(
            run.path("token"),
            data={
                "grant_type": DEVICE_GRANT,
                "client_id": run.desktop.app_id,
                "device_code": device.json()["device_code"],
            },
        )
        assert poll.json()["error"] == "authorization_pending", poll.text
    return Refused(refused.json()["trace_id"], ropc.json()["trace_id"])


def stopped_output(run: Run) -> str:
    """Everything the server wrote, once it has exited (so every line is flushed)."""
    gc.collect()
    run.server.stop()
    return run.server.output()


def assert_no_secret(run: Run, output: str) -> None:
    """Every watched value was watched, and none of them is in the output."""
    watched = {"daemon secret", "wrong secret", "user password", "wrong password", "access token"}
    assert watched | {"device code", "user code"} <= run.server.guard.labels()
    leaks = run.server.guard.leaks(output)
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


def test_json_log_has_the_refusal_of_a_reported_trace_id(json_run: Run) -> None:
    """JSON lines: exactly one line carries the trace id of the 7000215 answer, with the code, client,
    tenant and reason as top-level keys; the 50126 line names the user by object id; no line is other
    than a JSON object (uvicorn's and the access log included), and no secret is anywhere."""
    refused = exercise(json_run)
    output = stopped_output(json_run)
    lines = [line for line in output.splitlines() if line.strip()]
    entries: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) and {"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert any(e["logger"] == "uvicorn.access" for e in entries), "the access log is missing"

    [secret_line] = [e for e in entries if e.get("trace_id") == refused.wrong_secret]
    assert (secret_line["level"], secret_line["logger"]) == ("INFO", "tenantry.refusals")
    assert (secret_line["code"], secret_line["error"], secret_line["status"]) == (7000215, "invalid_client", 401)
    assert (secret_line["client_id"], secret_line["tenant"]) == (json_run.daemon.app_id, json_run.tenant.id)
    assert secret_line["reason"].startswith("the secret matches none of the app's 1 secret(s)")
    assert secret_line["correlation_id"]

    [password_line] = [e for e in entries if e.get("trace_id") == refused.wrong_password]
    assert (password_line["code"], password_line["client_id"]) == (50126, json_run.desktop.app_id)
    assert password_line["reason"] == f"wrong password for user {json_run.user.id}"
    assert not [e for e in entries if e.get("error") == "authorization_pending"], "a pending poll is not a refusal"
    assert_no_secret(json_run, output)


def test_text_log_has_the_refusal_as_key_value_fields(text_run: Run) -> None:
    """Readable text: one line with the trace id as `trace_id=…`, and the code, client, tenant and reason."""
    refused = exercise(text_run)
    output = stopped_output(text_run)
    [line] = [line for line in output.splitlines() if f"trace_id={refused.wrong_secret}" in line]
    assert " INFO tenantry.refusals: refused: AADSTS7000215 " in line
    for field in ("code=7000215", f"client_id={text_run.daemon.app_id}", f"tenant={text_run.tenant.id}", "status=401"):
        assert f" {field}" in line, line
    assert ' reason="the secret matches none of the app' in line
    assert "Uvicorn running on https://127.0.0.1" in output
    assert_no_secret(text_run, output)
