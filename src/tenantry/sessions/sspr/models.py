"""SSPR's records: the tenant's settings (Entra's "Password reset" blade) and one reset in progress.

Defaults follow Entra where it has one: off, one method, three security questions to register and to
reset, registration required at sign-in, re-confirmation every 180 days. Entra lets a user cancel the
registration interrupt and asks again at the next sign-in; Tenantry asks again after `skip_days` (default
7, 0 = at the next sign-in), a documented choice so that an interrupt does not nag at every sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SsprScope(StrEnum):
    """Who may reset: nobody, everybody, or the direct members of one group ("Selected" in Entra)."""

    OFF = "off"
    ALL = "all"
    GROUP = "group"


class SsprMethod(StrEnum):
    """The reset methods Tenantry offers (Entra's names in the authentication methods policy)."""

    EMAIL = "email"
    MOBILE_APP_CODE = "mobileAppCode"
    SECURITY_QUESTIONS = "securityQuestions"


MIN_QUESTIONS = 3
MAX_QUESTIONS = 5
MAX_RECONFIRM_DAYS = 730
MAX_SKIP_DAYS = 90
# Admins: Entra's fixed two-gate policy, two methods and never security questions (§5.5).
ADMIN_METHODS = (SsprMethod.EMAIL, SsprMethod.MOBILE_APP_CODE)
ADMIN_METHODS_REQUIRED = 2


@dataclass(frozen=True, slots=True)
class SsprPolicy:
    """A tenant's SSPR settings; a tenant that never set any has these defaults."""

    tenant_id: str
    scope: SsprScope = SsprScope.OFF
    group_id: str | None = None
    methods_required: int = 1
    methods: tuple[SsprMethod, ...] = (SsprMethod.EMAIL, SsprMethod.MOBILE_APP_CODE)
    questions_to_register: int = MIN_QUESTIONS
    questions_to_reset: int = MIN_QUESTIONS
    require_registration: bool = True
    reconfirm_days: int = 180
    skip_days: int = 7
    notify_admins: bool = False


@dataclass(frozen=True, slots=True)
class Requirement:
    """What SSPR asks of one user: whether they may reset, how many methods, and which count."""

    allowed: bool
    methods_required: int
    methods: tuple[SsprMethod, ...]
    questions_to_register: int
    questions_to_reset: int
    admin: bool


class ResetStep(StrEnum):
    """Where a reset is: proving methods, choosing the password, finished, or refused (120016). `register`
    marks the other use of the table: an address being proven on the security info page."""

    VERIFY = "verify"
    REGISTER = "register"
    PASSWORD = "password"  # noqa: S105 - a step name
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ResetFlow:
    """One reset in progress, stored server-side behind the SHA-256 of an opaque handle that only the
    browser's cookie holds. `user_id` is None for a name that matches nobody: such a flow looks the same
    on every page and can never be completed. The e-mail code is kept as a keyed hash only."""

    handle_hash: bytes
    upn: str
    tenant_id: str | None
    user_id: str | None
    step: ResetStep
    created_at: datetime
    expires_at: datetime
    verified: tuple[SsprMethod, ...] = ()
    code_hash: bytes | None = None
    code_expires_at: datetime | None = None
    code_attempts: int = 0


@dataclass(frozen=True, slots=True)
class Registration:
    """A user's SSPR registration state: when they last confirmed their methods, and until when the
    registration interrupt stays away after "Remind me later"."""

    tenant_id: str
    user_id: str
    confirmed_at: datetime | None = None
    snoozed_until: datetime | None = None
