"""Fixtures of the self-service password reset suite: a real SMTP server (aiosmtpd on 127.0.0.1, the
credential-expiry suite's `MailSink`), services on SQLite and on a fresh PostgreSQL database (marker
`postgres`), a tenant with users in every situation SSPR distinguishes, and a small browser over the app.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pyotp
import pytest
from aiosmtpd.controller import Controller

from lifecycle.conftest import MailSink
from signin.browser import ShiftableClock
from support.live_server import free_port
from support.postgres import fresh_postgres_database, require_postgres
from tenantry.app import Services, build_services, create_app
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.ids import new_guid
from tenantry.config import Settings
from tenantry.directory.groups import NewGroup
from tenantry.directory.models import Group, Tenant, User
from tenantry.sessions.mfa import AuthMethod, MethodType, new_totp_secret, seal_secret

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

import httpx

BASE_URL = "https://localhost:8443"
PASSWORD = "Corr3ct-Horse!"
DOMAIN = "contoso.example"
CODE = re.compile(r"verification code is: (\d{8})")
QUESTIONS = (
    ("What was the name of your first pet?", "Rex the Dog"),
    ("In what city was your first job?", "Lyon"),
    ("What was your childhood nickname?", "Bibi"),
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PER_USER = 12


@dataclass(frozen=True)
class People:
    """Contoso's users: `alice` (e-mail method), `bob` (authenticator app), `quinn` (security questions),
    `admin` (Global Administrator: e-mail and app), `carol` (e-mail method, outside the SSPR group when the
    tenant scopes SSPR to `group`), `dave` (nothing registered)."""

    tenant: Tenant
    group: Group
    alice: User
    bob: User
    quinn: User
    admin: User
    carol: User
    dave: User
    bob_totp: pyotp.TOTP
    admin_totp: pyotp.TOTP


@dataclass
class Sspr:
    """One backend: its services, HTTP client factory, mail sink and clock."""

    backend: str
    services: Services
    people: People
    mail: MailSink
    clock: ShiftableClock
    app: Any

    def browser(self) -> Browser:
        """A fresh browser (own cookie jar)."""
        return Browser(TestClient(self.app, base_url=BASE_URL, follow_redirects=False))

    def mails_to(self, address: str, after: int = 0, wait: float = 5.0) -> list[Message]:
        """The messages the SMTP server got for `address` (waiting for background sends)."""
        deadline = time.monotonic() + wait
        while True:
            found = [
                message_from_bytes(e.content)  # type: ignore[arg-type]
                for e in self.mail.envelopes[after:]
                if address in e.rcpt_tos
            ]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def code_for(self, address: str, after: int) -> str:
        """The one-time code of the newest message to `address` since `after`."""
        messages = self.mails_to(address, after)
        assert messages, f"no mail to {address}"
        body = messages[-1].get_payload(decode=True)
        assert isinstance(body, bytes)
        found = CODE.search(body.decode())
        assert found, body
        return found.group(1)


class Browser:
    """Cookies, CSRF tokens read from the page, and posts."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, path: str) -> httpx.Response:
        """GET, following redirects to our own pages."""
        response = self.client.get(path)
        while response.status_code in (302, 303):
            response = self.client.get(response.headers["location"])
        return response

    def post(self, path: str, page: httpx.Response, **fields: str) -> httpx.Response:
        """POST a form with the CSRF token of `page`, following the 303."""
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"csrf_token": token.group(1) if token else "", **fields}
        response = self.client.post(path, data=data)
        while response.status_code in (302, 303):
            response = self.client.get(response.headers["location"])
        return response

    def start(self, upn: str) -> httpx.Response:
        """The user name page, then the verify page."""
        return self.post("/sspr", self.get("/sspr"), username=upn)


def _ctx(services: Services) -> AuditContext:
    return AuditContext(Actor("system", "tests", "tests"), services.clock.now())


def _totp(services: Services, user: User) -> pyotp.TOTP:
    secret = new_totp_secret()
    method = AuthMethod(
        id=new_guid(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        type=MethodType.SOFTWARE_OATH,
        display_name="Authenticator app",
        created_at=services.clock.now(),
        sealed_secret=seal_secret(services.master_key, secret),
    )
    with services.store.transaction(write=True) as unit:
        unit.add_auth_method(method)
    return pyotp.TOTP(secret)


def build_people(services: Services) -> People:
    """Contoso with SSPR on for everyone, one method required (tests change the scope as they need)."""
    tenant = services.directory.create_tenant("Contoso", [DOMAIN])
    users = services.users

    def user(name: str) -> User:
        return users.create_user(tenant.id, f"{name}@{DOMAIN}", PASSWORD, name.title(), mail=f"{name}@{DOMAIN}")

    alice, bob, quinn, admin, carol, dave = (user(n) for n in ("alice", "bob", "quinn", "admin", "carol", "dave"))
    services.roles.assign_role(tenant.id, admin.id, "Global Administrator")
    group = services.groups.create_group(tenant.id, NewGroup("SSPR users", "sspr-users"), ctx=_ctx(services))
    with services.store.transaction(write=True) as unit:
        for member in (alice, bob, quinn):
            unit.add_group_member(tenant.id, group.id, member.id)
    info, ctx = services.security_info, _ctx(services)
    for someone in (alice, admin, carol):
        info.add_email(someone, f"{someone.display_name.lower()}.private@mail.example", ctx, by_admin=True)
    services.sspr_policies.set_policy(
        tenant.id, ctx, scope="all", methods=("email", "mobileAppCode", "securityQuestions")
    )
    info.set_questions(quinn, QUESTIONS, ctx)
    return People(tenant, group, alice, bob, quinn, admin, carol, dave, _totp(services, bob), _totp(services, admin))


def _settings(home: Path, port: int, database_url: str | None) -> Settings:
    return Settings(
        home=home,
        database_url=database_url,
        public_url=None,
        secret_key=None,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="no-reply@tenantry.example",
        smtp_starttls=False,
        sspr_attempts_per_user=PER_USER,
        sspr_attempts_per_ip=10000,
    )


@pytest.fixture(scope="module")
def mail_sink() -> Iterator[MailSink]:
    """aiosmtpd on 127.0.0.1 for the module."""
    sink = MailSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def sspr(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mail_sink: MailSink
) -> Iterator[Sspr]:
    """Contoso on SQLite, then on a fresh PostgreSQL database."""
    home = tmp_path_factory.mktemp(f"sspr-{request.param}")
    clock = ShiftableClock()
    if request.param == "sqlite":
        services = build_services(_settings(home, mail_sink.port, None), clock=clock)
        yield Sspr(
            "sqlite", services, build_people(services), mail_sink, clock, create_app(services, public_url=BASE_URL)
        )
        services.store.dispose()
        return
    with fresh_postgres_database(require_postgres()) as url:
        services = build_services(_settings(home, mail_sink.port, url), clock=clock)
        try:
            app = create_app(services, public_url=BASE_URL)
            yield Sspr("postgresql", services, build_people(services), mail_sink, clock, app)
        finally:
            services.store.dispose()


@pytest.fixture
def clock(sspr: Sspr) -> Iterator[ShiftableClock]:
    """The app's clock, put back after the test."""
    yield sspr.clock
    sspr.clock.reset()
