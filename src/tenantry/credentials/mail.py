"""E-mail over SMTP (the outbox worker's `email` channel): smtplib, called from a worker thread.

STARTTLS is on by default and verifies the server's certificate; AUTH is used only when a user name is
configured. The message carries a stable `Message-ID` (per credential and horizon), so a retry after a
lost reply shows up as a duplicate the mail client can fold, not as a second warning.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

from tenantry.common.clock import Clock
from tenantry.credentials.lifecycle import WebhookDelivery
from tenantry.credentials.webhooks import DeliveryError

log = logging.getLogger("tenantry.credentials.mail")

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the relay; the password is never logged."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = DEFAULT_TIMEOUT


def build_message(delivery: WebhookDelivery, sender: str, clock: Clock) -> EmailMessage:
    """The RFC 5322 message of an `email` outbox row."""
    payload = delivery.payload
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(payload["to"])
    message["Subject"] = payload["subject"]
    message["Date"] = format_datetime(clock.now())
    domain = sender.rsplit("@", 1)[-1] or "tenantry.invalid"
    message["Message-ID"] = f"<{payload['messageId']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    return message


class Mailer:
    """Sends one outbox row; raises `DeliveryError` on any SMTP or network failure."""

    def __init__(self, settings: SmtpSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def send(self, delivery: WebhookDelivery) -> None:
        """One attempt: connect, STARTTLS, AUTH when configured, send, quit."""
        s = self._settings
        message = build_message(delivery, s.sender, self._clock)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                smtp.ehlo()
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.username:
                    smtp.login(s.username, s.password or "")
                refused = smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {type(exc).__name__}") from None
        if refused:
            # Some recipients were accepted: a retry would mail them twice, so this counts as delivered.
            log.warning("mail %s: the relay refused %d of its recipients", delivery.id, len(refused))
