"""The e-mails SSPR sends (our own wording): the one-time code, and the notices after a reset.

`MailSender` is what the domain needs of a mailer (`credentials/text_mail.py` implements it over SMTP).
Codes are sent from a short-lived thread so that a request for a name with an e-mail method takes as long
as one for a name without: the page never waits for the relay.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from tenantry.directory.models import User


class MailSender(Protocol):
    """Sends one plain-text message; False when it could not."""

    def send(self, to: str, subject: str, text: str) -> bool:
        """One attempt."""
        ...


def send_in_background(mailer: MailSender, to: str, subject: str, text: str) -> None:
    """Send without making the caller wait (and so without a timing difference)."""
    threading.Thread(target=mailer.send, args=(to, subject, text), name="sspr-mail", daemon=True).start()


def code_message(code: str, minutes: int) -> tuple[str, str]:
    """Subject and body of the one-time code."""
    body = (
        f"Your verification code is: {code}\n\n"
        f"Enter it on the password reset page within {minutes} minutes. If you did not ask to reset your "
        "password, ignore this message: without the code nobody can use it.\n"
    )
    return "Your password reset verification code", body


def reset_message(user: User) -> tuple[str, str]:
    """What the user is told after their password was reset."""
    body = (
        f"The password of {user.user_principal_name} was just reset with self-service password reset.\n\n"
        "Every earlier sign-in session has been signed out. If this was not you, contact your administrator "
        "at once.\n"
    )
    return "Your password was reset", body


def admin_message(user: User) -> tuple[str, str]:
    """What administrators are told when an administrator reset their own password (Entra's optional
    "Notify all admins when other admins reset their password")."""
    body = f"The administrator {user.user_principal_name} reset their password with self-service password reset.\n"
    return f"Administrator password reset: {user.user_principal_name}", body


def addresses_of(user: User, method_addresses: Iterable[str]) -> tuple[str, ...]:
    """Where a reset notice goes (§5.5: primary and alternate addresses, else the UPN), each once."""
    found = [a for a in (user.mail, *method_addresses) if a]
    return tuple(dict.fromkeys(found or [user.user_principal_name]))
