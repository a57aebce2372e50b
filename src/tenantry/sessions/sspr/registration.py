"""Registering for SSPR: the security info page's operations and the registration interrupt (§5.5).

- The interrupt: a user in scope who has not registered enough methods, when the tenant has SSPR on and
  requires registration, is asked after signing in (administrators are always in scope, but only once the
  tenant turned SSPR on) ("More information required"). They register, or choose
  "Remind me later", which keeps the interrupt away for the tenant's `skip_days`. A user whose methods
  were last confirmed more than `reconfirm_days` ago is asked to confirm them again.
- The page (signed-in users, by their SSO session): an e-mail address proven by a code mailed to it, an
  authenticator app (the secret as text, an `otpauth://` link and a QR code; it waits sealed in the form,
  bound to the user, until its first code is right), and security questions. Each registration is
  audited as "User registered security info".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta

from cryptography.exceptions import InvalidTag

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.clock import Clock
from tenantry.common.ids import b64url, b64url_decode, new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.directory.users import user_target
from tenantry.errors import AadstsError
from tenantry.sessions.mfa import (
    AuthMethod,
    MethodType,
    matching_step,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
    seal_secret,
)
from tenantry.sessions.service import ActiveSession, SessionService
from tenantry.sessions.sspr.methods import SecurityInfoError, SecurityInfoService, check_email
from tenantry.sessions.sspr.models import Registration, ResetFlow, ResetStep, SsprMethod, SsprPolicy, SsprScope
from tenantry.sessions.sspr.notices import MailSender, code_message, send_in_background
from tenantry.sessions.sspr.policy import is_registered, registered, requirement
from tenantry.sessions.sspr.repository import SsprUnit
from tenantry.sessions.sspr.secrets import code_mac, counter_key, is_code, new_code

PENDING_APP_PURPOSE = "sspr pending authenticator secret"
CODE_TRIES = 3


@dataclass(frozen=True, slots=True)
class SecurityInfo:
    """What the page shows: what is registered and what the tenant asks of the user."""

    upn: str
    email: str | None
    has_app: bool
    questions: int
    methods: tuple[SsprMethod, ...]
    methods_required: int
    questions_to_register: int
    registered: tuple[SsprMethod, ...]
    complete: bool
    email_pending: bool


@dataclass(frozen=True, slots=True)
class PendingApp:
    """An authenticator secret being set up: shown as text, link and QR code; `sealed` goes in the form."""

    secret: str
    uri: str
    qr: str
    sealed: str


class RegistrationService:
    """The interrupt's decisions and the security info page's operations for one signed-in user."""

    def __init__(
        self,
        transaction: Callable[..., AbstractContextManager[SsprUnit]],
        clock: Clock,
        key: MasterKey,
        mailer: MailSender,
        code_minutes: int = 10,
        mails_per_window: tuple[int, int] = (10, 3600),
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._key = key
        self._mailer = mailer
        self._code_minutes = code_minutes
        self._mails_per_window = mails_per_window  # codes a user may have mailed per window (seconds)
        self._methods = SecurityInfoService(transaction, clock, key)

    # -- the interrupt -------------------------------------------------------------------------------

    def is_due(self, tenant_id: str, user_id: str) -> bool:
        """Whether the interrupt shows after this user's sign-in."""
        now = self._clock.now()
        with self._transaction() as unit:
            policy = unit.find_sspr_policy(tenant_id) or SsprPolicy(tenant_id)
            user = unit.find_user(tenant_id, user_id)
            if user is None or not policy.require_registration or policy.scope is SsprScope.OFF:
                return False
            need = requirement(unit, user, policy)
            methods = unit.list_auth_methods(tenant_id, user_id)
            state = unit.find_sspr_registration(tenant_id, user_id)
        if not need.allowed or (state and state.snoozed_until and now < state.snoozed_until):
            return False
        if not is_registered(methods, need):
            return True
        confirmed = state.confirmed_at if state else None
        return bool(policy.reconfirm_days and confirmed and now - confirmed > timedelta(days=policy.reconfirm_days))

    def skip(self, tenant_id: str, user_id: str) -> None:
        """ "Remind me later": no interrupt for the tenant's `skip_days`; audited."""
        now = self._clock.now()
        with self._transaction(write=True) as unit:
            policy = unit.find_sspr_policy(tenant_id) or SsprPolicy(tenant_id)
            user = unit.find_user(tenant_id, user_id)
            if user is None:
                return
            state = unit.find_sspr_registration(tenant_id, user_id) or Registration(tenant_id, user_id)
            unit.save_sspr_registration(replace(state, snoozed_until=now + timedelta(days=policy.skip_days)))
            self._audit(unit, user, AuditActivity.SSPR_REGISTRATION_SKIPPED, "skipped")

    def confirm(self, tenant_id: str, user_id: str) -> bool:
        """ "Looks good" / "Done": records the confirmation when enough methods are registered."""
        now = self._clock.now()
        with self._transaction(write=True) as unit:
            user = unit.find_user(tenant_id, user_id)
            if user is None:
                return False
            policy = unit.find_sspr_policy(tenant_id) or SsprPolicy(tenant_id)
            if not is_registered(unit.list_auth_methods(tenant_id, user_id), requirement(unit, user, policy)):
                return False
            state = unit.find_sspr_registration(tenant_id, user_id) or Registration(tenant_id, user_id)
            unit.save_sspr_registration(replace(state, confirmed_at=now, snoozed_until=None))
            self._audit(unit, user, AuditActivity.SSPR_REGISTRATION_CONFIRMED, "confirmed")
        return True

    def _audit(self, unit: SsprUnit, user: User, activity: AuditActivity, what: str) -> None:
        ctx = AuditContext(Actor("user", user.id, user.user_principal_name), self._clock.now())
        record(unit, ctx, user.tenant_id, activity, (user_target(user, (("SecurityInfo", "", what),)),), "Update")

    # -- the page ------------------------------------------------------------------------------------

    def signed_in(self, token: str | None) -> ActiveSession | None:
        """The browser's valid SSO session and its user (the page is for signed-in users only)."""
        with self._transaction() as unit:
            try:
                return SessionService(self._clock).current(token, unit)
            except AadstsError:
                return None

    def info(self, user: User, session_id: str) -> SecurityInfo:
        """The user's registration as the page shows it."""
        with self._transaction() as unit:
            policy = unit.find_sspr_policy(user.tenant_id) or SsprPolicy(user.tenant_id)
            need = requirement(unit, user, policy)
            methods = unit.list_auth_methods(user.tenant_id, user.id)
            pending = unit.find_reset_flow(_pending_hash(session_id))
        email = next((m.email_address for m in methods if m.type is MethodType.EMAIL), None)
        return SecurityInfo(
            upn=user.user_principal_name,
            email=email,
            has_app=any(m.type is MethodType.SOFTWARE_OATH for m in methods),
            questions=sum(m.type is MethodType.SECURITY_QUESTION for m in methods),
            methods=need.methods,
            methods_required=need.methods_required,
            questions_to_register=need.questions_to_register,
            registered=registered(methods, need),
            complete=is_registered(methods, need),
            email_pending=pending is not None and pending.step is ResetStep.REGISTER and pending.code_hash is not None,
        )

    def start_email(self, user: User, session_id: str, address: str) -> None:
        """Mail a code to the address to be proven (the address waits with the code's keyed hash)."""
        address = check_email(address)
        now, code = self._clock.now(), new_code()
        handle = _pending_hash(session_id)
        allowed, window = self._mails_per_window
        with self._transaction(write=True) as unit:  # the page must not become a way to mail anyone, often
            sent = unit.count_attempt(counter_key(self._key, f"register:{user.id}"), now, window)
        if sent > allowed:
            raise SecurityInfoError("Too many codes were sent. Try again later.")
        pending = ResetFlow(
            handle_hash=handle,
            upn=address,
            tenant_id=user.tenant_id,
            user_id=user.id,
            step=ResetStep.REGISTER,
            created_at=now,
            expires_at=now + timedelta(minutes=self._code_minutes),
            code_hash=code_mac(self._key, handle, code),
            code_expires_at=now + timedelta(minutes=self._code_minutes),
        )
        with self._transaction(write=True) as unit:
            old = unit.find_reset_flow(handle)
            if old is None:
                unit.add_reset_flow(pending)
            elif not unit.update_reset_flow_if(pending, old.step, old.code_attempts):
                raise SecurityInfoError("try again")
        subject, body = code_message(code, self._code_minutes)
        send_in_background(self._mailer, address, subject, body)

    def finish_email(self, user: User, session_id: str, code: str) -> bool:
        """The code mailed to the pending address: the address becomes the e-mail method (replacing an older
        one); a wrong code counts a try (three per code)."""
        handle, now = _pending_hash(session_id), self._clock.now()
        with self._transaction() as unit:
            pending = unit.find_reset_flow(handle)
        if pending is None or pending.user_id != user.id or pending.step is not ResetStep.REGISTER:
            return False
        live = (
            pending.code_expires_at is not None and now < pending.code_expires_at and pending.code_attempts < CODE_TRIES
        )
        if not (live and is_code(self._key, handle, pending.code_hash, code)):
            with self._transaction(write=True) as unit:
                tried = replace(pending, code_attempts=pending.code_attempts + 1)
                unit.update_reset_flow_if(tried, ResetStep.REGISTER, pending.code_attempts)
            return False
        with self._transaction(write=True) as unit:
            done = replace(pending, step=ResetStep.DONE, code_hash=None)
            if not unit.update_reset_flow_if(done, ResetStep.REGISTER, pending.code_attempts):
                return False
        ctx = AuditContext(Actor("user", user.id, user.user_principal_name), now)
        for old in self._methods.email_methods(user):
            self._methods.delete_method(user, old.id, MethodType.EMAIL, ctx, by_admin=False)
        self._methods.add_email(user, pending.upn, ctx, by_admin=False)
        return True

    def pending_app(self, user: User) -> PendingApp:
        """A new secret for the authenticator app, sealed (with the user's id) for the form."""
        secret = new_totp_secret()
        uri = provisioning_uri(secret, user.user_principal_name)
        payload = json.dumps({"u": user.id, "s": secret}).encode()
        sealed = b64url(self._key.encrypt(PENDING_APP_PURPOSE, payload))
        return PendingApp(secret, uri, qr_svg(uri), sealed)

    def add_app(self, user: User, sealed: str, code: str) -> bool:
        """The app's first code for the sealed secret: the method is stored (audited)."""
        secret = self._open(user, sealed)
        now = self._clock.now()
        step = matching_step(secret, code, now, None) if secret else None
        if secret is None or step is None:
            return False
        method = AuthMethod(
            id=new_guid(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            type=MethodType.SOFTWARE_OATH,
            display_name="Authenticator app",
            created_at=now,
            sealed_secret=seal_secret(self._key, secret),
            last_used_step=step,
        )
        with self._transaction(write=True) as unit:
            unit.add_auth_method(method)
            self._audit(unit, user, AuditActivity.REGISTER_SECURITY_INFO, "authenticator app")
        return True

    def _open(self, user: User, sealed: str) -> str | None:
        try:
            raw = self._key.decrypt(PENDING_APP_PURPOSE, b64url_decode(sealed))
            payload = json.loads(raw)
        except (InvalidTag, ValueError):
            return None
        return str(payload["s"]) if payload.get("u") == user.id else None

    def set_questions(self, user: User, pairs: Sequence[tuple[str, str]]) -> None:
        """Replace the user's security questions (SecurityInfoError when refused)."""
        ctx = AuditContext(Actor("user", user.id, user.user_principal_name), self._clock.now())
        self._methods.set_questions(user, pairs, ctx)


def _pending_hash(session_id: str) -> bytes:
    """Where an address being proven waits: keyed by the SSO session, so one browser has one at a time."""
    return hashlib.sha256(f"sspr-register:{session_id}".encode()).digest()
