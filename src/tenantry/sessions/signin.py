"""What each sign-in page does when it is shown or submitted, free of HTTP (the web adapter renders).

One method per step of the flow (sessions/flow.py): identify, password, "Stay signed in?", consent, and
the device-code entry that starts a device flow. Each runs in its own transaction(s); the password is
verified in a read transaction so the argon2 work never holds the database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.common.clock import Clock
from tenantry.directory.models import User
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.authenticate import PasswordAuthenticator
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
    use_another_account,
)
from tenantry.sessions.repository import SignInStore, SignInUnit
from tenantry.sessions.service import FlowService, SessionService, check_session

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


class SignInService:
    """The sign-in pages' operations."""

    def __init__(self, store: SignInStore, clock: Clock, passwords: PasswordAuthenticator) -> None:
        self._store = store
        self._clock = clock
        self._passwords = passwords
        self._sessions = SessionService(clock)
        self._flows = FlowService(clock)

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

    def password(self, handle: str | None, password: str, old_token: str | None) -> tuple[SignInFlow, str]:
        """Verify the password (50034 / 50126 / 50057 / 50055), then replace the browser's session with a
        new one; returns the flow and the new session's cookie token."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is not FlowState.PASSWORD or not flow.username:
                raise FlowStateError(f"flow is in state {flow.state}, not password")
            user = self._passwords.authenticate(flow.username, password, unit, self._clock.now(), flow.tenant_label)
        with self._store.transaction(write=True) as unit:
            old = self._sessions.find(old_token, unit)
            if old is not None:
                self._sessions.revoke(old.id, unit)
            session, token = self._sessions.start(user, unit)
            flow = authenticated(flow, user.id, session.id)
            unit.update_flow(flow)
        return flow, token

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
        return flow

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
