"""The self-service password reset flow behind `/sspr` (entra-reference §5.5), free of HTTP.

```mermaid
stateDiagram-v2
    [*] --> verify: user name entered (any name: unknown, out of scope and in scope look the same)
    verify --> verify: a method proven, another one required (admins: two)
    verify --> password: enough methods proven
    verify --> refused: a method proven by a user who may not reset (120016)
    password --> done: new password accepted by the tenant policy
```

No enumeration: every name gets a flow and the same pages. Before a method is proven nothing depends on
the user: the methods offered are the tenant's (plus the two of the administrators' policy), an e-mail
code is "sent if an address is registered", and a name without security questions is shown decoy
questions. Only once a method is proven, which only the account's owner can do, does the page say whether
another is needed or, with 120016, that the user may not reset. A name that matches nobody can never prove
a method.

Every step is rate-limited per user name and per client address (fixed windows shared by all server
processes, 90055 beyond), audited for known users, and moves the flow with a compare-and-set, so a code,
an answer or the final post cannot be replayed. The reset itself is the administrators' reset without the
forced change (history may be reused, §5.2), which revokes every session and refresh token; then the
lockout is cleared (§5.3) and the user (and, per setting, the Global Administrators) are told by e-mail.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.directory.user_changes import PasswordRefusedError
from tenantry.errors import Aadsts, AadstsError
from tenantry.sessions.mfa import MethodType, verify_totp
from tenantry.sessions.sspr.models import (
    ADMIN_METHODS,
    Requirement,
    ResetFlow,
    ResetStep,
    SsprMethod,
    SsprPolicy,
)
from tenantry.sessions.sspr.notices import (
    MailSender,
    addresses_of,
    admin_message,
    code_message,
    reset_message,
    send_in_background,
)
from tenantry.sessions.sspr.policy import requirement
from tenantry.sessions.sspr.repository import SsprUnit
from tenantry.sessions.sspr.secrets import code_mac, counter_key, is_answer, is_code, new_code
from tenantry.sessions.sspr.steps import admin_addresses, after_proof, audit, question_methods, questions_shown

log = logging.getLogger("tenantry.sspr")
Transaction = Callable[..., AbstractContextManager[SsprUnit]]
WRONG = "That didn't work. Check what you entered and try again, or choose another way to verify."


class VerificationError(ValueError):
    """A code or answer that does not prove the method (the page says so, never why)."""


@dataclass(frozen=True, slots=True)
class SsprLimits:
    """The tuning knobs (`Settings.sspr_*`)."""

    code_minutes: int = 10
    code_attempts: int = 3
    flow_minutes: int = 15
    window_seconds: int = 3600
    per_user: int = 10
    per_ip: int = 50


@dataclass(frozen=True, slots=True)
class ResetView:
    """What a page shows. `remaining` is None until a method is proven (so nothing about the user shows)."""

    step: ResetStep
    upn: str
    offered: tuple[SsprMethod, ...]
    verified: tuple[SsprMethod, ...]
    remaining: int | None
    questions: tuple[str, ...]
    code_sent: bool


@dataclass(frozen=True)
class SsprParts:
    """What the service is built from (wired once in `app.py`)."""

    transaction: Transaction
    clock: Clock
    key: MasterKey
    mailer: MailSender
    # The administrators' reset without the forced change (UserService.reset_password).
    reset_password: Callable[[User, str, AuditContext], object]
    # Smart lockout's unlock (Lockout.unlock).
    unlock: Callable[[str, str, str, AuditContext], object]
    limits: SsprLimits = SsprLimits()


def handle_hash(handle: str) -> bytes:
    """Only the SHA-256 of a handle is stored."""
    return hashlib.sha256(handle.encode()).digest()


class SsprService:
    """The reset pages' operations; each takes the browser's handle (from its cookie) and client address."""

    def __init__(self, parts: SsprParts) -> None:
        self._p = parts

    # -- identify ------------------------------------------------------------------------------------

    def start(self, upn: str, client_ip: str) -> str:
        """A new flow for any name (no enumeration); audited as "identify" for a known user."""
        name = upn.strip()[:256]
        if not name:
            raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="username")
        self._limit(client_ip, None)
        handle = secrets.token_urlsafe(32)
        now = self._p.clock.now()
        with self._p.transaction(write=True) as unit:
            user = unit.find_user_by_upn(name)
            expires = now + timedelta(minutes=self._p.limits.flow_minutes)
            flow = ResetFlow(
                handle_hash(handle),
                name,
                user.tenant_id if user else self._tenant_of(unit, name),
                user.id if user else None,
                ResetStep.VERIFY,
                now,
                expires,
            )
            unit.add_reset_flow(flow)
            unit.purge_reset_flows(now - timedelta(hours=1))
            if user is not None:
                audit(unit, user, AuditActivity.SSPR_PROGRESS, "identify", now)
        return handle

    @staticmethod
    def _tenant_of(unit: SsprUnit, name: str) -> str | None:
        tenant = unit.find_tenant_by_domain(name.rpartition("@")[2].lower()) if "@" in name else None
        return tenant.id if tenant else None

    def view(self, handle: str) -> ResetView:
        """The flow's page (50089 when unknown or expired)."""
        with self._p.transaction() as unit:
            flow, user, policy = self._load(unit, handle)
            methods = unit.list_auth_methods(user.tenant_id, user.id) if user else []
            need = requirement(unit, user, policy) if user else None
        count = policy.questions_to_reset
        questions: tuple[str, ...] = ()
        if self._asks_questions(policy):
            questions = questions_shown(self._p.key, flow.upn, methods, count, policy.questions_to_register)
        remaining = None
        if flow.verified and need is not None:
            remaining = max(need.methods_required - len(flow.verified), 0)
        offered = tuple(dict.fromkeys((*policy.methods, *ADMIN_METHODS)))
        return ResetView(flow.step, flow.upn, offered, flow.verified, remaining, questions, flow.code_hash is not None)

    @staticmethod
    def _asks_questions(policy: SsprPolicy) -> bool:
        return SsprMethod.SECURITY_QUESTIONS in policy.methods

    # -- e-mail code ---------------------------------------------------------------------------------

    def send_code(self, handle: str, client_ip: str) -> None:
        """A fresh code (replacing an earlier one) mailed to the user's e-mail method, if there is one;
        for any other name the same is stored and nothing is sent."""
        flow = self._flow_at(handle, ResetStep.VERIFY)
        self._limit(client_ip, flow.upn)
        code, now = new_code(), self._p.clock.now()
        expires = now + timedelta(minutes=self._p.limits.code_minutes)
        moved = replace(flow, code_hash=code_mac(self._p.key, flow.handle_hash, code), code_expires_at=expires)
        moved = replace(moved, code_attempts=0)
        with self._p.transaction(write=True) as unit:
            if not unit.update_reset_flow_if(moved, ResetStep.VERIFY, flow.code_attempts):
                raise VerificationError(WRONG)
            address = self._email_of(unit, flow)
            user = unit.find_user(flow.tenant_id, flow.user_id) if flow.tenant_id and flow.user_id else None
            if user is not None:
                audit(unit, user, AuditActivity.SSPR_PROGRESS, "email code sent" if address else "no email", now)
        if address is not None:
            subject, body = code_message(code, self._p.limits.code_minutes)
            send_in_background(self._p.mailer, address, subject, body)

    @staticmethod
    def _email_of(unit: SsprUnit, flow: ResetFlow) -> str | None:
        if flow.tenant_id is None or flow.user_id is None:
            return None
        methods = unit.list_auth_methods(flow.tenant_id, flow.user_id)
        return next((m.email_address for m in methods if m.type is MethodType.EMAIL and m.email_address), None)

    def verify_code(self, handle: str, code: str, client_ip: str) -> None:
        """The mailed code: right, unexpired, unused and within its tries; a wrong one counts a try."""
        flow = self._flow_at(handle, ResetStep.VERIFY)
        self._limit(client_ip, flow.upn)
        now = self._p.clock.now()
        live = flow.code_expires_at is not None and now < flow.code_expires_at
        live = live and flow.code_attempts < self._p.limits.code_attempts
        if live and is_code(self._p.key, flow.handle_hash, flow.code_hash, code):
            spent = replace(flow, code_hash=None, code_expires_at=None, code_attempts=0)
            self._proven(flow, spent, SsprMethod.EMAIL, "email code")
            return
        tried = replace(flow, code_attempts=flow.code_attempts + 1)
        if tried.code_attempts >= self._p.limits.code_attempts:
            tried = replace(tried, code_hash=None, code_expires_at=None, code_attempts=0)
        self._failed(flow, tried, "email code")
        raise VerificationError(WRONG)

    # -- authenticator app ---------------------------------------------------------------------------

    def verify_app(self, handle: str, code: str, client_ip: str) -> None:
        """A current code of the user's authenticator app, never one already used (sign-in included)."""
        flow = self._flow_at(handle, ResetStep.VERIFY)
        self._limit(client_ip, flow.upn)
        found = None
        if flow.tenant_id and flow.user_id:
            with self._p.transaction() as unit:
                methods = unit.list_auth_methods(flow.tenant_id, flow.user_id)
            found = verify_totp(self._p.key, methods, code, self._p.clock.now())
        if found is not None:
            method, step = found
            with self._p.transaction(write=True) as unit:
                used = unit.use_auth_method(method, step=step)
            if used:
                self._proven(flow, flow, SsprMethod.MOBILE_APP_CODE, "authenticator app code")
                return
        self._failed(flow, flow, "authenticator app code")
        raise VerificationError(WRONG)

    # -- security questions --------------------------------------------------------------------------

    def verify_answers(self, handle: str, answers: tuple[str, ...], client_ip: str) -> None:
        """Every shown question answered right (no hint which answer was wrong)."""
        flow = self._flow_at(handle, ResetStep.VERIFY)
        self._limit(client_ip, flow.upn)
        right = False
        if flow.tenant_id and flow.user_id:
            with self._p.transaction() as unit:
                policy = unit.find_sspr_policy(flow.tenant_id) or SsprPolicy(flow.tenant_id)
                methods = unit.list_auth_methods(flow.tenant_id, flow.user_id)
            asked = question_methods(self._p.key, methods, policy.questions_to_reset)
            checks = [
                is_answer(self._p.key, flow.user_id, m.display_name, m.pass_hash, a)
                for m, a in zip(asked, answers, strict=False)
            ]
            right = bool(asked) and len(answers) == len(asked) and all(checks)
        if right:
            self._proven(flow, flow, SsprMethod.SECURITY_QUESTIONS, "security questions")
            return
        self._failed(flow, flow, "security questions")
        raise VerificationError(WRONG)

    # -- the new password ----------------------------------------------------------------------------

    def reset(self, handle: str, password: str, client_ip: str) -> None:
        """The new password under the tenant policy (120002 / 120003 / 120018; history may be reused), then
        sessions revoked, lockout cleared, the user and (setting) admins told, audited."""
        flow = self._flow_at(handle, ResetStep.PASSWORD)
        self._limit(client_ip, None)
        with self._p.transaction() as unit:
            user, need, policy = self._subject(unit, flow)
        now = self._p.clock.now()
        ctx = AuditContext(Actor("user", user.id, user.user_principal_name), now)
        try:  # a refused password raises before anything changed
            self._p.reset_password(user, password, ctx)
        except PasswordRefusedError as refused:
            raise refused.error from None
        done = replace(flow, step=ResetStep.DONE)
        with self._p.transaction(write=True) as unit:
            if not unit.update_reset_flow_if(done, ResetStep.PASSWORD, flow.code_attempts):
                raise AadstsError.of(Aadsts.FlowTokenExpired, debug="this reset was already completed")
            audit(unit, user, AuditActivity.SSPR_RESET, "password reset", now)
            addresses = [m.email_address or "" for m in unit.list_auth_methods(user.tenant_id, user.id)]
            admins = admin_addresses(unit, user) if need.admin and policy.notify_admins else ()
        self._p.unlock(user.tenant_id, user.id, user.user_principal_name, ctx)
        self._notify(user, addresses, admins)

    def _notify(self, user: User, method_addresses: list[str], admins: tuple[str, ...]) -> None:
        subject, body = reset_message(user)
        for address in addresses_of(user, method_addresses):
            send_in_background(self._p.mailer, address, subject, body)
        subject, body = admin_message(user)
        for address in admins:
            send_in_background(self._p.mailer, address, subject, body)

    # -- shared ---------------------------------------------------------------------------------------

    def _load(self, unit: SsprUnit, handle: str) -> tuple[ResetFlow, User | None, SsprPolicy]:
        flow = unit.find_reset_flow(handle_hash(handle)) if handle else None
        if flow is None or flow.expires_at <= self._p.clock.now():
            raise AadstsError.of(Aadsts.FlowTokenExpired, debug="unknown or expired password reset")
        user = unit.find_user(flow.tenant_id, flow.user_id) if flow.tenant_id and flow.user_id else None
        tenant_id = flow.tenant_id or ""
        policy = (unit.find_sspr_policy(tenant_id) if tenant_id else None) or SsprPolicy(tenant_id)
        return flow, user, policy

    def _flow_at(self, handle: str, step: ResetStep) -> ResetFlow:
        with self._p.transaction() as unit:
            flow, _, _ = self._load(unit, handle)
        if flow.step is not step:
            raise VerificationError(WRONG)
        return flow

    def _subject(self, unit: SsprUnit, flow: ResetFlow) -> tuple[User, Requirement, SsprPolicy]:
        user = unit.find_user(flow.tenant_id, flow.user_id) if flow.tenant_id and flow.user_id else None
        if user is None:
            raise AadstsError.of(Aadsts.FlowTokenExpired, debug="the reset's user no longer exists")
        policy = unit.find_sspr_policy(user.tenant_id) or SsprPolicy(user.tenant_id)
        return user, requirement(unit, user, policy), policy

    def _proven(self, flow: ResetFlow, moved: ResetFlow, method: SsprMethod, what: str) -> None:
        """Record a proven method: counted only when the user's requirement allows it."""
        now = self._p.clock.now()
        with self._p.transaction(write=True) as unit:
            user, need, _ = self._subject(unit, flow)
            if method not in need.methods:
                audit(unit, user, AuditActivity.SSPR_PROGRESS, f"{what} not allowed", now, ok=False)
                raise VerificationError(WRONG)
            after = after_proof(moved, method, need)
            if not unit.update_reset_flow_if(after, ResetStep.VERIFY, flow.code_attempts):
                raise VerificationError(WRONG)
            if after.step is ResetStep.REFUSED:
                audit(unit, user, AuditActivity.SSPR_BLOCKED, what, now, ok=False)
            else:
                audit(unit, user, AuditActivity.SSPR_PROGRESS, f"{what} verified", now)
        if after.step is ResetStep.REFUSED:
            raise AadstsError.of(Aadsts.PasswordChangeUserNotFoundBySspr, debug=f"user {user.id} not in SSPR scope")

    def _failed(self, flow: ResetFlow, moved: ResetFlow, what: str) -> None:
        """Count a wrong code (compare-and-set) and audit the failure for a known user."""
        now = self._p.clock.now()
        with self._p.transaction(write=True) as unit:
            if moved != flow:
                unit.update_reset_flow_if(moved, ResetStep.VERIFY, flow.code_attempts)
            if flow.tenant_id and flow.user_id:
                user = unit.find_user(flow.tenant_id, flow.user_id)
                if user is not None:
                    audit(unit, user, AuditActivity.SSPR_PROGRESS, f"{what} wrong", now, ok=False)

    def _limit(self, client_ip: str, upn: str | None) -> None:
        """Count the attempt per address (and per name); 90055 beyond the window's allowance."""
        limits, now = self._p.limits, self._p.clock.now()
        with self._p.transaction(write=True) as unit:
            by_ip = unit.count_attempt(counter_key(self._p.key, f"ip:{client_ip}"), now, limits.window_seconds)
            by_user = 0
            if upn is not None:
                by_user = unit.count_attempt(
                    counter_key(self._p.key, f"user:{upn.casefold()}"), now, limits.window_seconds
                )
        if by_ip > limits.per_ip or by_user > limits.per_user:
            log.warning("sspr: attempt limit reached (address %s)", client_ip)
            raise AadstsError.of(
                Aadsts.TenantThrottlingError, hint="Too many password reset attempts. Try again later."
            )
