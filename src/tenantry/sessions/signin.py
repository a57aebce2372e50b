"""What each sign-in page does when it is shown or submitted, free of HTTP (the web adapter renders).

One method per step of the flow (sessions/flow.py): identify, password, the forced password change, the
second factor ("Enter code" and authenticator-app enrolment, in sessions/mfa_steps.py), "Stay signed in?",
consent, and the device-code entry that starts a device flow. Each runs in its own
transaction(s); passwords are verified and hashed in read transactions or none, so the argon2 work never
holds the database's write lock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import PasswordPolicy, User
from tenantry.directory.users import user_target
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.authenticate import PasswordAuthenticator
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.policy import check_current_password, check_replacement, context_for, must_change_password
from tenantry.sessions.consent import ConsentError, grant_admin_consent, may_grant_admin_consent, record_user_consent
from tenantry.sessions.flow import (
    FlowKind,
    FlowOrigin,
    FlowState,
    FlowStateError,
    SignInFlow,
    account_selected,
    authenticated,
    consent_given,
    failed,
    identified,
    kmsi_answered,
    new_flow,
    password_change_required,
    password_changed,
    registration_answered,
    registration_required,
    use_another_account,
)
from tenantry.sessions.mfa_steps import MfaSteps
from tenantry.sessions.models import SsoSession
from tenantry.sessions.repository import SignInStore, SignInUnit
from tenantry.sessions.service import FlowService, SessionService, check_session
from tenantry.sessions.sspr.registration import RegistrationService

USER_CODE_LENGTH = 9


@dataclass(frozen=True, slots=True)
class FlowView:
    """What a page shows: the flow, the app's name, and the signed-in account the picker may offer."""

    flow: SignInFlow
    app_name: str
    account: str | None = None


def normalise_user_code(raw: str) -> str:
    """Users type codes in any case, with spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


def _store_changed_password(unit: SignInUnit, user: User, new_hash: str, when: datetime) -> User:
    """Store the user's own new password as of `when`: the forced change is done, and every session and refresh
    token from before `when` stops working; audited as "Change user password" by the user."""
    changed = replace(
        user,
        password_hash=new_hash,
        password_changed_at=when,
        password_expires_at=None,
        force_change_password_next_sign_in=False,
        sign_in_sessions_valid_from=when,
    )
    unit.update_user(changed)
    ctx = AuditContext(Actor("user", user.id, user.user_principal_name), when)
    record(unit, ctx, user.tenant_id, AuditActivity.CHANGE_USER_PASSWORD, (user_target(changed),), "Update")
    return changed


class SignInService:
    """The sign-in pages' operations."""

    def __init__(
        self,
        store: SignInStore,
        clock: Clock,
        passwords: PasswordAuthenticator,
        hashing: PasswordHashing,
        mfa_key: MasterKey | None = None,
        registration: RegistrationService | None = None,
    ) -> None:
        self._mfa = MfaSteps(store, clock, mfa_key or MasterKey(secrets.token_bytes(32)))
        self._store = store
        self._clock = clock
        self._passwords = passwords
        self._hashing = hashing
        self._sessions = SessionService(clock)
        self._flows = FlowService(clock)
        self._registration = registration  # SSPR's registration interrupt (None: never shown)

    def _account(self, flow: SignInFlow, token: str | None, unit: SignInUnit) -> str | None:
        """The account of a usable SSO session, offered on the username page (select_account, device)."""
        if flow.state is not FlowState.IDENTIFY or not flow.allow_sso:
            return None
        found = self._sessions.lookup(token, unit)
        if found is None:
            return None
        try:
            check_session(found.session, found.user, self._clock.now())
        except AadstsError:
            return None
        return found.user.user_principal_name

    def view(self, handle: str | None, token: str | None) -> FlowView:
        """The flow behind a page (AADSTS50089 when unknown or expired)."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            app = unit.find_application_by_app_id(flow.client_id)
            return FlowView(flow, app.display_name if app else flow.client_id, self._account(flow, token, unit))

    def _update(self, flow: SignInFlow) -> SignInFlow:
        with self._store.transaction(write=True) as unit:
            unit.update_flow(flow)
        return flow

    def identify(self, handle: str | None, username: str) -> SignInFlow:
        """Username entered (checked with the password, so the page reveals nothing about who exists)."""
        name = username.strip()
        if not name:
            raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="username")
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
        return self._update(identified(flow, name[:256]))

    def another_account(self, handle: str | None) -> SignInFlow:
        """ "Use another account": back to an empty username page."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
        return self._update(use_another_account(flow))

    def continue_as(self, handle: str | None, token: str | None) -> SignInFlow:
        """Continue with the SSO session's account; an invalid session raises 50132 / 50133 / 50058."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            found = self._sessions.current(token, unit)
            if found is None:
                raise AadstsError.of(Aadsts.UserInformationNotProvided)
        return self._update(account_selected(flow, found.user.id, found.session.id))

    def password(
        self, handle: str | None, password: str, old_token: str | None, client_ip: str = ""
    ) -> tuple[SignInFlow, str | None]:
        """Verify the password (50034 / 50126 / 50057), or a Temporary Access Pass typed in its place. A user
        who must change it goes to the change page, and a user with an authenticator app (or whose per-user
        MFA is required) to "Enter code" (or its enrolment), with no session (the token returned is None);
        anyone else gets a new session in place of the browser's: returns the flow and the new session's
        cookie token."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is not FlowState.PASSWORD or not flow.username:
                raise FlowStateError(f"flow is in state {flow.state}, not password")
            now = self._clock.now()
            tap = self._mfa.pass_of(flow, flow.username, password, unit)
        if tap is not None:  # a Temporary Access Pass in the password field (sessions/mfa.py)
            return self._mfa.signed_in_with_pass(flow, tap, old_token, self._replace_session)
        with self._store.transaction() as unit:
            user = self._proven_user(flow, password, unit, now, client_ip)
            policy = self._policy(user, unit)
            second = self._mfa.after_password(flow, user, unit)
        if must_change_password(user, policy, now):
            return self._update(password_change_required(flow, user.id)), None
        if second is not None:  # a code from the authenticator app, or its enrolment, comes next
            return self._update(second), None
        with self._store.transaction(write=True) as unit:
            session, token = self._replace_session(user, old_token, unit)
            flow = authenticated(flow, user.id, session.id)
            unit.update_flow(flow)
        return flow, token

    def _proven_user(self, flow: SignInFlow, password: str, unit: SignInUnit, now: datetime, client_ip: str) -> User:
        """The user whose password this is. An expired or must-change password (50055 for the grants that
        cannot show a page) is still proven here: the flow then asks for a new one. Smart lockout counts
        the attempt against `client_ip` (50053 while locked, before the password is checked)."""
        upn = flow.username or ""
        try:
            return self._passwords.authenticate(
                upn, password, unit, now, flow.tenant_label, client_ip=client_ip, tenant_id=flow.tenant_id
            )
        except AadstsError as err:
            if err.code != Aadsts.InvalidPasswordExpiredPassword:
                raise
            user = unit.find_user_by_upn(upn.strip())
            if user is None:
                raise
            return user

    @staticmethod
    def _policy(user: User, unit: SignInUnit) -> PasswordPolicy:
        """The user's tenant's password policy (Entra's defaults when it set none)."""
        return unit.find_password_policy(user.tenant_id) or PasswordPolicy(user.tenant_id)

    def _replace_session(
        self, user: User, old_token: str | None, unit: SignInUnit, auth_methods: tuple[str, ...] = ("pwd",)
    ) -> tuple[SsoSession, str]:
        """Sign the browser's old session out and start a new one for `user` (`amr`: `auth_methods`)."""
        old = self._sessions.find(old_token, unit)
        if old is not None:
            self._sessions.revoke(old.id, unit)
        return self._sessions.start(user, unit, auth_methods=auth_methods)

    def change_password(
        self, handle: str | None, current: str, new: str, old_token: str | None
    ) -> tuple[SignInFlow, str | None]:
        """The "Update your password" page: the current password again (else 120000), a new one the policy
        accepts (120002 / 120003 / 120018) and unlike the current one. Stores the new hash, clears the forced
        change, and revokes every earlier session and refresh token (`password_changed_at` and
        `sign_in_sessions_valid_from` are set to the new session's sign-in time, so only it survives);
        audited as "Change user password" by the user; returns the flow (now at "Stay signed in?") and the new
        session's cookie token."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is not FlowState.PASSWORD_CHANGE or not flow.username or not flow.user_id:
                raise FlowStateError(f"flow is in state {flow.state}, not password_change")
            user = unit.find_user_by_upn(flow.username)
            tenant = unit.find_tenant(user.tenant_id) if user is not None else None
            if user is None or tenant is None or user.id != flow.user_id:
                raise AadstsError.of(Aadsts.FlowTokenExpired, debug="the flow's user no longer exists")
            context = context_for(user, tenant, self._policy(user, unit))
        check_current_password(self._hashing, user.password_hash, current, debug=f"user {user.id}")
        if not user.account_enabled:
            raise AadstsError.of(Aadsts.UserDisabled, debug=f"user {user.id} is disabled (password was right)")
        check_replacement(current, new, context, debug=f"user {user.id}")
        new_hash = self._hashing.hash(new)
        with self._store.transaction(write=True) as unit:
            fresh = unit.find_user(user.tenant_id, user.id)
            if fresh is None or fresh.password_hash != user.password_hash:  # changed meanwhile: start again
                raise FlowStateError("the password changed while this page was open")
            second = self._mfa.after_password(flow, fresh, unit)
            if second is not None:  # the second factor still follows (no session yet)
                _store_changed_password(unit, fresh, new_hash, self._clock.now())
                if not unit.update_flow_if(second, FlowState.PASSWORD_CHANGE):
                    raise FlowStateError("the password was already changed in this flow")
                return second, None
            session, token = self._replace_session(fresh, old_token, unit)
            _store_changed_password(unit, fresh, new_hash, session.auth_time)
            moved = password_changed(flow, user.id, session.id)
            if not unit.update_flow_if(moved, FlowState.PASSWORD_CHANGE):  # a double submit won: roll back
                raise FlowStateError("the password was already changed in this flow")
        return moved, token

    def verify_code(self, handle: str | None, code: str, old_token: str | None) -> tuple[SignInFlow, str]:
        """The "Enter code" page (a user with an authenticator app): a right, unused code creates the session
        with `amr` `pwd mfa`; else 50074 on the page."""
        return self._mfa.verify(handle, code, old_token, self._replace_session)

    def enrol(self, handle: str | None, code: str, old_token: str | None) -> tuple[SignInFlow, str]:
        """The enrolment page: the first code of the new secret stores the method and creates the session."""
        return self._mfa.enrol(handle, code, old_token, self._replace_session)

    def enrolment(self, handle: str | None) -> tuple[str, str, str]:
        """What the enrolment page shows: the secret, its `otpauth://` URI and the QR code (SVG)."""
        return self._mfa.enrolment(handle)

    def _session_of(self, flow: SignInFlow, token: str | None, unit: SignInUnit) -> None:
        """Posts after sign-in must come from the browser holding the flow's session."""
        session = self._sessions.find(token, unit)
        if session is None or session.id != flow.session_id:
            raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint("The sign-in cookie was not sent back.")

    def stay_signed_in(self, handle: str | None, stay: bool, token: str | None) -> SignInFlow:
        """ "Stay signed in?" (KMSI): yes makes the session persistent."""
        with self._store.transaction(write=True) as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is FlowState.KMSI:
                self._session_of(flow, token, unit)
                assert flow.session_id is not None
                self._sessions.keep_signed_in(flow.session_id, stay, unit)
            flow = kmsi_answered(flow)
            unit.update_flow(flow)
            user = unit.find_user_by_upn(flow.username) if flow.username else None
        if user is not None and self._registration is not None and self._registration.is_due(user.tenant_id, user.id):
            return self._update(registration_required(flow))
        return flow

    def answer_registration(self, handle: str | None, action: str, token: str | None) -> SignInFlow:
        """The SSPR registration interrupt: "skip" ("Remind me later") or "done" (registered; refused with
        FlowStateError while too few methods are registered), then on to the app."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is not FlowState.SSPR_REGISTER or self._registration is None:
                raise FlowStateError(f"flow is in state {flow.state}, not sspr_register")
            self._session_of(flow, token, unit)
            user = unit.find_user_by_upn(flow.username or "")
        if user is not None and action == "skip":
            self._registration.skip(user.tenant_id, user.id)
        elif user is None or not self._registration.confirm(user.tenant_id, user.id):
            raise FlowStateError("not enough methods are registered yet")
        return self._update(registration_answered(flow))

    def consent(self, handle: str | None, accept: bool, token: str | None) -> SignInFlow:
        """Record the consent page's answer: grant (user or tenant-wide) or decline (AADSTS65004)."""
        with self._store.transaction(write=True) as unit:
            flow = self._flows.find(handle, unit)
            self._session_of(flow, token, unit)
            prompt = flow.consent
            if prompt is None:
                return flow
            if not accept:
                flow = failed(flow, int(Aadsts.UserDeclinedConsent))
            else:
                user = unit.find_user(prompt.tenant_id, flow.user_id or "")
                if user is None:
                    raise AadstsError.of(Aadsts.UserInformationNotProvided)
                try:
                    self._grant(flow, user, unit)
                except ConsentError as exc:
                    raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint(str(exc)) from exc
                flow = consent_given(flow)
            unit.update_flow(flow)
        return flow

    def _grant(self, flow: SignInFlow, user: User, unit: SignInUnit) -> None:
        assert flow.consent is not None
        if flow.consent.admin:
            client = unit.find_application_by_app_id(flow.consent.client_app_id)
            if client is None:
                raise ConsentError("the client of this consent no longer exists")
            if not may_grant_admin_consent(user, client, unit):
                raise AadstsError.of(Aadsts.AdminConsentRequired)
            grant_admin_consent(flow.consent, unit, self._clock.now())
        else:
            record_user_consent(flow.consent, user, unit, self._clock.now())

    def start_device(self, raw_code: str) -> str:
        """The code a device showed: wrong → 70018, expired → 70019, already used → 90120; else a new flow."""
        code = normalise_user_code(raw_code)
        now = self._clock.now()
        with self._store.transaction(write=True) as unit:
            device = unit.find_device_code_by_user_code(code) if code else None
            if device is None:
                raise AadstsError.of(Aadsts.BadVerificationCode)
            if device.expires_at <= now:
                raise AadstsError.of(Aadsts.CodeExpired)
            if device.status != "pending":
                raise AadstsError.of(Aadsts.InvalidDeviceFlowRequest)
            handle, digest = FlowService.new_handle()
            request = {"user_code": code}
            origin = FlowOrigin(FlowKind.DEVICE, device.tenant_segment, device.tenant_id, device.client_id, request)
            self._flows.add(new_flow(digest, origin, now), unit)
        return handle
