"""Multi-factor authentication: the user's authentication methods, TOTP (RFC 6238) and Temporary Access
Passes (issue 12 §3). The primitives used by the sign-in flow's MFA steps and by Graph's
`users/{id}/authentication/*Methods`.

- A **software OATH** method is an authenticator app's TOTP secret (SHA-1, 6 digits, 30 s), stored sealed
  under the master key (purpose `mfa-totp`), never in clear. A code is accepted within ±1 time step and only
  once: the method remembers the last time step used (`last_used_step`), and any code of that step or an
  earlier one is refused.
- A **Temporary Access Pass** (TAP) is issued by an administrator; only its SHA-256 is stored (it is shown
  once, on creation). It is usable from `start` for `lifetime_minutes`, once or many times. At sign-in the
  user may type it in the password field (documented simplification of Entra's "Use a Temporary Access Pass"):
  it counts as strong authentication (`amr` `["mfa"]`), and a user without a TOTP method is then sent to
  TOTP enrolment.
- A user is **MFA-registered** once they have a software OATH method; such a user is asked for a code after
  the password. A user without one is asked to enrol after a TAP sign-in, or after the password when an
  administrator set the user's per-user MFA state (Graph's `perUserMfaState`, `PER_USER_STATES`) to `enabled`
  or `enforced` (Graph `users/{id}/authentication/requirements`, `tenantry user mfa set`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import pyotp

from tenantry.common.master_key import MasterKey

TOTP_PURPOSE = "mfa-totp"
TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_WINDOW = 1
TAP_LENGTH = 12
TAP_MIN_MINUTES = 10
TAP_MAX_MINUTES = 43200
TAP_DEFAULT_MINUTES = 60
ISSUER = "Tenantry"


PER_USER_STATES = ("disabled", "enabled", "enforced")


class MethodType(StrEnum):
    """The stored kinds of authentication method (Graph's names)."""

    SOFTWARE_OATH = "softwareOath"
    TEMPORARY_ACCESS_PASS = "temporaryAccessPass"  # noqa: S105 - a type name
    EMAIL = "email"  # SSPR: a one-time code is mailed to `email_address` (sessions/sspr/methods.py)
    SECURITY_QUESTION = "securityQuestion"  # SSPR: `display_name` is the question, `pass_hash` the answer's MAC


@dataclass(frozen=True, slots=True)
class AuthMethod:
    """One registered method. TOTP: `sealed_secret`, `last_used_step`. TAP: `pass_hash`, `start`,
    `lifetime_minutes`, `usable_once`, `used_at`. E-mail: `email_address`. Security question: the question
    in `display_name`, a keyed hash of the normalised answer in `pass_hash`."""

    id: str
    tenant_id: str
    user_id: str
    type: MethodType
    display_name: str
    created_at: datetime
    sealed_secret: bytes | None = None
    last_used_step: int | None = None
    pass_hash: bytes | None = None
    start: datetime | None = None
    lifetime_minutes: int | None = None
    usable_once: bool = False
    used_at: datetime | None = None
    email_address: str | None = None

    def tap_usable(self, now: datetime) -> bool:
        """A TAP within its lifetime and, if usable once, not used yet."""
        if self.type is not MethodType.TEMPORARY_ACCESS_PASS or self.start is None or self.lifetime_minutes is None:
            return False
        if self.usable_once and self.used_at is not None:
            return False
        return self.start <= now < self.start + timedelta(minutes=self.lifetime_minutes)

    def tap_state(self, now: datetime) -> str:
        """Graph's `methodUsabilityReason`: EnabledByPolicy, NotYetValid, Expired or OneTimeUsed."""
        assert self.start is not None and self.lifetime_minutes is not None
        if self.usable_once and self.used_at is not None:
            return "OneTimeUsed"
        if now < self.start:
            return "NotYetValid"
        if now >= self.start + timedelta(minutes=self.lifetime_minutes):
            return "Expired"
        return "EnabledByPolicy"


class AuthMethodRepository(Protocol):
    """Authentication methods per user; `store/sql/auth_methods.py` implements it."""

    def add_auth_method(self, method: AuthMethod) -> None:
        """Insert."""
        ...

    def list_auth_methods(self, tenant_id: str, user_id: str) -> list[AuthMethod]:
        """The user's methods, oldest first."""
        ...

    def find_auth_method(self, tenant_id: str, user_id: str, method_id: str) -> AuthMethod | None:
        """One method of the user."""
        ...

    def delete_auth_method(self, tenant_id: str, user_id: str, method_id: str) -> bool:
        """Remove one; False when there was none."""
        ...

    def use_auth_method(self, method: AuthMethod, *, step: int | None = None, used_at: datetime | None = None) -> bool:
        """Record a use as a compare-and-set: a TOTP step greater than the stored one, or the first use of a
        once-only TAP. False when another request won (a replayed code or pass)."""
        ...

    def update_auth_method_address(self, method: AuthMethod) -> None:
        """Store an e-mail method's new `email_address` (Graph `PATCH emailMethods/{id}`)."""
        ...

    def find_mfa_state(self, tenant_id: str, user_id: str) -> str:
        """The user's per-user MFA state: `disabled` (no row), `enabled` or `enforced`."""
        ...

    def save_mfa_state(self, tenant_id: str, user_id: str, state: str) -> None:
        """Store the per-user MFA state (`disabled` removes it)."""
        ...


def hash_pass(value: str) -> bytes:
    """SHA-256 of a TAP (it has 72 random bits, so no slow hash is needed)."""
    return hashlib.sha256(value.encode()).digest()


def new_pass() -> str:
    """A fresh TAP: 12 characters from an unambiguous alphabet."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(TAP_LENGTH))


def new_totp_secret() -> str:
    """A base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def seal_secret(key: MasterKey, secret: str) -> bytes:
    """The secret encrypted at rest."""
    return key.encrypt(TOTP_PURPOSE, secret.encode())


def open_secret(key: MasterKey, sealed: bytes) -> str:
    """The stored secret in clear."""
    return key.decrypt(TOTP_PURPOSE, sealed).decode()


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """`otpauth://totp/Issuer:account?secret=…&issuer=…` (Google Authenticator's key-URI format)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no JavaScript, no image request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return str(image.to_string(encoding="unicode"))


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step (within ±1 of now) whose code this is, and later than `after`; None when none is."""
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP)
    current = int(now.timestamp()) // TOTP_STEP
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def matching_pass(methods: list[AuthMethod], value: str, now: datetime) -> AuthMethod | None:
    """The user's usable TAP equal to `value`, if any."""
    digest = hash_pass(value)
    for method in methods:
        if method.pass_hash is not None and hmac.compare_digest(method.pass_hash, digest) and method.tap_usable(now):
            return method
    return None


def totp_methods(methods: list[AuthMethod]) -> list[AuthMethod]:
    """The software OATH methods (the user is MFA-registered when there is one)."""
    return [m for m in methods if m.type is MethodType.SOFTWARE_OATH]


def verify_totp(key: MasterKey, methods: list[AuthMethod], code: str, now: datetime) -> tuple[AuthMethod, int] | None:
    """The TOTP method and step a code matches (never an already-used step)."""
    for method in totp_methods(methods):
        assert method.sealed_secret is not None
        step = matching_step(open_secret(key, method.sealed_secret), code, now, method.last_used_step)
        if step is not None:
            return method, step
    return None


def with_step(method: AuthMethod, step: int) -> AuthMethod:
    """The method after a code of `step` was accepted."""
    return replace(method, last_used_step=step)


def requires_second_factor(methods: list[AuthMethod], state: str) -> bool:
    """Whether a sign-in of this user needs a second factor: an authenticator app is registered, or the
    per-user MFA state is `enabled` / `enforced`. ROPC, which cannot ask for one, then answers 50076."""
    return bool(totp_methods(methods)) or state != "disabled"
