"""Entra's cloud password rules for new passwords (entra-reference §5.2): 8–256 characters from the
allowed set, and three of the four character classes.
"""

from __future__ import annotations

import secrets
import string

MIN_LENGTH = 8
MAX_LENGTH = 256
_SYMBOLS = set("@#$%^&*-_!+=[]{}|\\:',.?/~\"();<> `")
_ALLOWED = set(string.ascii_letters) | set(string.digits) | _SYMBOLS


class WeakPasswordError(ValueError):
    """A password the policy refuses, with a message saying why."""


def check_password_policy(password: str) -> None:
    """Raise `WeakPasswordError` unless the password meets the cloud policy."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPasswordError(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not set(password) <= _ALLOWED:
        raise WeakPasswordError("a password uses only ASCII letters, digits, space and common symbols")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in _SYMBOLS for c in password),
    ]
    if sum(classes) < 3:
        raise WeakPasswordError("a password mixes three of: lower case, upper case, digits, symbols")


def generate_password(length: int = 16) -> str:
    """A random password that meets the policy: all four character classes, drawn with `secrets`
    (about 95 bits for 16 characters), for accounts created or reset without one given."""
    symbols = "!#$%*+-=?@^_"
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, symbols)
    alphabet = "".join(classes)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in group for c in candidate) for group in classes):
            return candidate
