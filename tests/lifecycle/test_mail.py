"""Expiry warnings e-mailed to the app's owners over real SMTP (aiosmtpd on 127.0.0.1, started by the test):
owners' `mail` (else their UPN) as recipients, a subject that says what expires when, a stable Message-ID,
no secret value, and retries while the relay is down."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from functools import partial
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from support.live_server import free_port
from tenantry.app import Services, credential_lifecycle
from tenantry.apps.models import Application
from tenantry.apps.operations import OwnerOperations
from tenantry.common.clock import FixedClock
from tenantry.directory.models import Tenant

from .conftest import MailSink, ServicesFactory

SENDER = "tenantry@contoso.example"
PASSWORD = "Owner-Passw0rd!"


def _mailing(make_services: ServicesFactory, port: int) -> Services:
    return make_services(smtp_host="127.0.0.1", smtp_port=port, smtp_from=SENDER, smtp_starttls=False)


def _own(services: Services, tenant: Tenant, app: Application) -> None:
    """alice (with a mail address) and bob (without: his UPN is used) own the app."""
    owners = OwnerOperations(partial(services.store.transaction, write=True), services.clock)
    alice = services.users.create_user(tenant.id, "alice@contoso.example", PASSWORD, "Alice", "alice@mail.example")
    bob = services.users.create_user(tenant.id, "bob@contoso.example", PASSWORD, "Bob")
    owners.add_owner(app, alice.id)
    owners.add_owner(app, bob.id)


def _message(sink: MailSink, index: int = 0) -> Message:
    content = sink.envelopes[index].content
    assert isinstance(content, bytes)
    return message_from_bytes(content)


def test_owners_get_one_mail_per_horizon(
    make_services: ServicesFactory, smtp_server: MailSink, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """One message to both owners for the 7-day warning; nothing more until the 1-day horizon."""
    services = _mailing(make_services, smtp_server.port)
    _own(services, tenant, app)
    new = services.credentials.add_secret(app, "prod", end=clock.now() + timedelta(days=5))
    jobs = credential_lifecycle(services)
    jobs.scanner.scan()
    assert jobs.outbox.deliver_due().delivered == 1
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == SENDER
    assert sorted(envelope.rcpt_tos) == ["alice@mail.example", "bob@contoso.example"]
    message = _message(smtp_server)
    assert message["Subject"] == "[Tenantry] A credential of 'Billing daemon' expires in 5 days"
    assert message["From"] == SENDER
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_payload(decode=True)
    assert isinstance(text, bytes)
    assert new.credential.key_id.encode() in text
    assert app.app_id.encode() in text
    assert new.secret_text.encode() not in envelope.content  # type: ignore[operator]
    jobs.scanner.scan()
    assert jobs.outbox.deliver_due().delivered == 0
    clock.advance(timedelta(days=4, hours=12).total_seconds())
    jobs.scanner.scan()
    jobs.outbox.deliver_due()
    assert len(smtp_server.envelopes) == 2
    assert _message(smtp_server, 1)["Subject"].endswith("expires in 1 day")
    assert _message(smtp_server, 0)["Message-ID"] != _message(smtp_server, 1)["Message-ID"]


def test_app_without_owners_gets_no_mail(
    make_services: ServicesFactory, smtp_server: MailSink, clock: FixedClock, app: Application
) -> None:
    """The warning is still recorded (and audited), but nobody is there to mail."""
    services = _mailing(make_services, smtp_server.port)
    services.credentials.add_secret(app, end=clock.now() + timedelta(days=2))
    jobs = credential_lifecycle(services)
    assert len(jobs.scanner.scan()) == 1
    assert jobs.outbox.deliver_due().delivered == 0
    assert smtp_server.envelopes == []


def test_mail_is_retried_while_the_relay_is_down(
    make_services: ServicesFactory, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """With no SMTP server listening the attempt fails and is retried after the back-off; once the server is
    up the same message (same Message-ID) is delivered."""
    port = free_port()
    services = _mailing(make_services, port)
    _own(services, tenant, app)
    services.credentials.add_secret(app, end=clock.now() + timedelta(days=20))
    jobs = credential_lifecycle(services)
    jobs.scanner.scan()
    assert jobs.outbox.deliver_due().failed == 1
    sink = MailSink(port=port)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert jobs.outbox.deliver_due().delivered == 0
        clock.advance(30)
        assert jobs.outbox.deliver_due().delivered == 1
    finally:
        controller.stop()
    assert _message(sink)["Subject"].endswith("expires in 20 days")


def test_smtp_auth_is_used_when_configured(
    make_services: ServicesFactory, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """With `smtp_username`/`smtp_password` (the password as an `env:` reference) the worker logs in before
    sending; the relay only accepts the right credentials."""
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(_server: object, _session: object, _envelope: object, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=(data.login, data.password) == (b"relay-user", b"relay-pass"))

    sink = MailSink(port=free_port())
    controller = Controller(
        sink, hostname="127.0.0.1", port=sink.port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RELAY_PASSWORD", "relay-pass")
            services = make_services(
                smtp_host="127.0.0.1",
                smtp_port=sink.port,
                smtp_from=SENDER,
                smtp_starttls=False,
                smtp_username="relay-user",
                smtp_password="env:RELAY_PASSWORD",
            )
        _own(services, tenant, app)
        services.credentials.add_secret(app, end=clock.now() + timedelta(days=1))
        jobs = credential_lifecycle(services)
        jobs.scanner.scan()
        assert jobs.outbox.deliver_due().delivered == 1
    finally:
        controller.stop()
    assert logins == [(b"relay-user", b"relay-pass")]
    assert len(sink.envelopes) == 1
