"""SSPR as a user meets it: the real `tenantry serve` on its own port of 127.0.0.1 (TLS), a real SMTP server
(aiosmtpd) it mails through, and httpx as the browser. An administrator resets with two methods (the e-mail
code read from the received message, the authenticator code computed with pyotp); the other Global
Administrators are told (the tenant's "notify admins" setting); the server's output never shows the code.
A second address (127.0.0.2) is limited on its own: beyond its allowance it gets 90055, while 127.0.0.1
carries on.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import httpx
import pyotp
import pytest
from aiosmtpd.controller import Controller

from lifecycle.conftest import MailSink
from support.live_server import LiveServer, free_port
from tenantry.app import build_services
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.config import Settings

from .conftest import CODE, PASSWORD, _totp

DOMAIN = "live.example"
NEW_PASSWORD = "Quiet-Harbour-93!"
PER_IP = 12


@pytest.fixture
def sink() -> Iterator[MailSink]:
    """aiosmtpd on 127.0.0.1."""
    mail = MailSink(port=free_port())
    controller = Controller(mail, hostname="127.0.0.1", port=mail.port)
    controller.start()
    yield mail
    controller.stop()


def _directory(home: Path) -> tuple[str, pyotp.TOTP]:
    """A tenant with SSPR on, an administrator with an e-mail method and an app, and a second Global
    Administrator to be told."""
    services = build_services(Settings(home=home, database_url=None, public_url=None, secret_key=None))
    try:
        tenant = services.directory.create_tenant("Live", [DOMAIN])
        ctx = AuditContext(SYSTEM, services.clock.now())
        admin = services.users.create_user(tenant.id, f"ada@{DOMAIN}", PASSWORD, "Ada", mail=f"ada@{DOMAIN}")
        other = services.users.create_user(tenant.id, f"ole@{DOMAIN}", PASSWORD, "Ole", mail=f"ole@{DOMAIN}")
        for user in (admin, other):
            services.roles.assign_role(tenant.id, user.id, "Global Administrator")
        services.security_info.add_email(admin, "ada@home.example", ctx, by_admin=True)
        services.sspr_policies.set_policy(tenant.id, ctx, scope="all", notify_admins=True)
        return admin.user_principal_name, _totp(services, admin)
    finally:
        services.store.dispose()


def _post(http: httpx.Client, url: str, page: httpx.Response, **fields: str) -> httpx.Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return http.post(url, data={"csrf_token": token.group(1) if token else "", **fields}, follow_redirects=True)


def _mail(sink: MailSink, to: str, after: int) -> list[str]:
    import time

    for _ in range(100):
        found = [e for e in sink.envelopes[after:] if to in e.rcpt_tos]
        if found:
            bodies = []
            for envelope in found:
                payload = message_from_bytes(envelope.content).get_payload(decode=True)  # type: ignore[arg-type]
                bodies.append(payload.decode() if isinstance(payload, bytes) else "")
            return bodies
        time.sleep(0.05)
    return []


def test_admin_reset_on_a_live_server(tmp_path: Path, sink: MailSink) -> None:
    upn, totp = _directory(tmp_path)
    settings = {
        "TENANTRY_SMTP_HOST": "127.0.0.1",
        "TENANTRY_SMTP_PORT": str(sink.port),
        "TENANTRY_SMTP_FROM": "no-reply@live.example",
        "TENANTRY_SMTP_STARTTLS": "false",
        "TENANTRY_SSPR_ATTEMPTS_PER_IP": str(PER_IP),
    }
    server = LiveServer(tmp_path, free_port(), extra_args=("--access-log",), settings=settings)
    server.start()
    try:
        verify = ssl.create_default_context(cafile=str(server.ca_path))
        with httpx.Client(base_url=server.base_url, verify=verify, timeout=30.0) as http:
            page = http.get("/passwordreset", follow_redirects=True)
            assert "Get back into your account" in page.text
            page = _post(http, "/sspr", page, username=upn)
            before = len(sink.envelopes)
            page = _post(http, "/sspr/verify", page, action="send_code")
            [body] = _mail(sink, "ada@home.example", before)
            found = CODE.search(body)
            assert found
            server.guard.watch("e-mail code", found.group(1))
            page = _post(http, "/sspr/verify", page, action="email", code=found.group(1))
            assert "Verification step 2" in page.text
            page = _post(http, "/sspr/verify", page, action="app", code=totp.now())
            assert "Choose a new password" in page.text
            before = len(sink.envelopes)
            page = _post(http, "/sspr/password", page, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
            assert 'id="done"' in page.text
            assert _mail(sink, f"ada@{DOMAIN}", before)  # the user is told
            assert any("Administrator password reset" in b or upn in b for b in _mail(sink, f"ole@{DOMAIN}", before))
        other = httpx.HTTPTransport(verify=verify, local_address="127.0.0.2")
        with httpx.Client(base_url=server.base_url, transport=other, timeout=30.0) as http:
            answers = []
            for i in range(PER_IP + 1):
                page = http.get("/sspr")
                answers.append(_post(http, "/sspr", page, username=f"nobody{i}@{DOMAIN}").status_code)
            assert answers[:PER_IP] == [200] * PER_IP and answers[-1] == 429
        with httpx.Client(base_url=server.base_url, verify=verify, timeout=30.0) as http:
            page = _post(http, "/sspr", http.get("/sspr"), username=upn)
            assert page.status_code == 200 and "Get back into your account" in page.text
        assert server.guard.leaks(server.output()) == []
    finally:
        server.stop()
