"""Fixtures of the credential-lifecycle suite: services on a fresh SQLite home per test, a clock the test
moves, and real local receivers for the notification channels (an HTTP server and an SMTP server).

A migrated home is built once per session and copied for each test, so every test has a database of its
own (expiry scans cover *all* tenants) without paying for the migrations each time. The developer's
`TENANTRY_*` variables are removed so only what a test sets applies.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import Result
from typer.testing import CliRunner

from support.live_server import free_port
from tenantry.app import Services, build_services
from tenantry.apps.models import Application
from tenantry.cli import context
from tenantry.cli.main import cli
from tenantry.common.clock import FixedClock
from tenantry.config import Settings
from tenantry.directory.models import Tenant

WEBHOOK_SECRET = "lifecycle-webhook-signing-secret"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No `TENANTRY_*` setting of the developer's, and no proxy between us and 127.0.0.1."""
    for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
        monkeypatch.delenv(name)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated home (database, master key, signing key), copied by `home`."""
    home = tmp_path_factory.mktemp("lifecycle-template")
    build_services(Settings(home=home)).store.dispose()
    return home


@pytest.fixture
def home(template_home: Path, tmp_path: Path) -> Path:
    """This test's TENANTRY_HOME."""
    target = tmp_path / "home"
    shutil.copytree(template_home, target)
    return target


@pytest.fixture
def clock() -> FixedClock:
    """A clock that moves only when the test says so; it starts at the real time, so that MSAL's client
    assertions (stamped with the real time) fall inside the server's skew."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


ServicesFactory = Callable[..., Services]


@pytest.fixture
def make_services(home: Path, clock: FixedClock) -> Iterator[ServicesFactory]:
    """Build services over this test's home with extra settings; calling it again is a server restart."""
    built: list[Services] = []

    def make(**settings: Any) -> Services:
        services = build_services(Settings(home=home, **settings), clock)
        built.append(services)
        return services

    yield make
    for services in built:
        services.store.dispose()


@pytest.fixture
def services(make_services: ServicesFactory) -> Services:
    """Services with default settings (no webhook, no SMTP)."""
    return make_services()


@pytest.fixture
def tenant(services: Services) -> Tenant:
    """Contoso."""
    return services.directory.create_tenant("Contoso", ["contoso.example"])


@pytest.fixture
def app(services: Services, tenant: Tenant) -> Application:
    """A daemon app with no credential yet."""
    return services.apps.create_app(tenant.id, "Billing daemon")


# --------------------------------------------------------------------------------------------------
# A real webhook receiver
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request the receiver got: its headers (lower-case names) and raw body."""

    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers the next queued status (else 200)."""

    url: str
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A `ThreadingHTTPServer` in a thread, stopped after the test."""
    state = WebhookReceiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tenantry"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --------------------------------------------------------------------------------------------------
# A real SMTP server
# --------------------------------------------------------------------------------------------------


@dataclass
class MailSink:
    """What the SMTP server accepted."""

    port: int
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd's hook: keep the message."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    """aiosmtpd on 127.0.0.1 (plain SMTP, no AUTH), in its own thread and event loop."""
    sink = MailSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


Run = Callable[..., Result]


def forget_cli_services() -> None:
    """Drop the CLI's cached services, as a new `tenantry` process would start without them."""
    if context.services.cache_info().currsize:
        context.services().store.dispose()
    context.services.cache_clear()


@pytest.fixture
def run(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Run]:
    """`run("app", "list", ...)` invokes the CLI in-process over this test's home (cwd: a temp dir); each
    command builds its services afresh, as a new `tenantry` process would."""
    monkeypatch.setenv("TENANTRY_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")  # Rich tables: one line per row
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, ok: bool = True) -> Result:
        forget_cli_services()
        result = CliRunner().invoke(cli, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    yield invoke
    forget_cli_services()
