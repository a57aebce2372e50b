"""Plain-text e-mail over SMTP for messages a person waits for (SSPR one-time codes, password-reset
notices): sent at once from a worker thread, not queued in the outbox, because a code is useless after its
ten minutes. Uses the same relay settings (`SmtpSettings`) as expiry warnings; the password is never logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tenantry.common.clock import Clock
from tenantry.credentials.mail import SmtpSettings

log = logging.getLogger("tenantry.mail")


class TextMailer:
    """Sends one message; without settings (no `smtp_host`) nothing can be sent."""

    def __init__(self, settings: SmtpSettings | None, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    @property
    def configured(self) -> bool:
        """An SMTP relay is configured."""
        return self._settings is not None

    def send(self, to: str, subject: str, text: str) -> bool:
        """One attempt; False (logged without the body, which may hold a code) when it failed."""
        s = self._settings
        if s is None:
            log.warning("no SMTP relay is configured: the mail '%s' was not sent", subject)
            return False
        message = EmailMessage()
        message["From"] = s.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(self._clock.now())
        message["Message-ID"] = make_msgid(domain=s.sender.rsplit("@", 1)[-1] or "tenantry.invalid")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                smtp.ehlo()
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("mail '%s' not sent: SMTP %s", subject, type(exc).__name__)
            return False
        return True
