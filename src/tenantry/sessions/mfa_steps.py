"""The sign-in flow's second-factor steps (style P15): a Temporary Access Pass typed in the password field,
"Enter code" (TOTP verification) and authenticator-app enrolment. Primitives are in sessions/mfa.py.

Each step proves its factor in a read transaction, then records the use (the TOTP time step, a once-only
pass) as a compare-and-set in the write transaction that creates the SSO session and moves the flow, so a
replayed code or pass loses to the first use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.directory.users import user_target
from tenantry.errors import Aadsts, AadstsError
from tenantry.sessions.flow import (
    FlowState,
    FlowStateError,
    SignInFlow,
    authenticated,
    enrolment_required,
    second_factor_required,
    second_factor_verified,
)
from tenantry.sessions.mfa import (
    AuthMethod,
    MethodType,
    matching_pass,
    matching_step,
    new_totp_secret,
    open_secret,
    provisioning_uri,
    qr_svg,
    seal_secret,
    totp_methods,
    verify_totp,
)
from tenantry.sessions.models import SsoSession
from tenantry.sessions.repository import SignInStore, SignInUnit
from tenantry.sessions.service import FlowService

ReplaceSession = Callable[[User, str | None, SignInUnit, tuple[str, ...]], tuple[SsoSession, str]]
WRONG_CODE = "The code is wrong, expired or was already used. Enter the current code from your authenticator app."


def _with_mfa(methods: tuple[str, ...]) -> tuple[str, ...]:
    return methods if "mfa" in methods else (*methods, "mfa")


class MfaSteps:
    """TAP sign-in, TOTP verification and enrolment, for `SignInService`."""

    def __init__(self, store: SignInStore, clock: Clock, key: MasterKey) -> None:
        self._store = store
        self._clock = clock
        self._key = key
        self._flows = FlowService(clock)

    @staticmethod
    def registered(user: User, unit: SignInUnit) -> bool:
        """The user has an authenticator app (so a code follows the password)."""
        return bool(totp_methods(unit.list_auth_methods(user.tenant_id, user.id)))

    def after_password(
        self, flow: SignInFlow, user: User, unit: SignInUnit, methods: tuple[str, ...] = ("pwd",)
    ) -> SignInFlow | None:
        """Where a proven first factor (`methods`: `pwd`, or `wia` for a Kerberos ticket) leads: "Enter code"
        for a user with an authenticator app, enrolment for a user whose per-user MFA is `enabled` or
        `enforced`; None when no second factor is asked."""
        if self.registered(user, unit):
            return second_factor_required(flow, user.id, methods)
        if unit.find_mfa_state(user.tenant_id, user.id) != "disabled":
            return enrolment_required(flow, user.id, methods, seal_secret(self._key, new_totp_secret()))
        return None

    def pass_of(self, flow: SignInFlow, username: str, typed: str, unit: SignInUnit) -> tuple[User, AuthMethod] | None:
        """The enabled user and their usable Temporary Access Pass equal to what was typed, if any."""
        user = unit.find_user_by_upn(username.strip())
        if user is None or not user.account_enabled or (flow.tenant_id and user.tenant_id != flow.tenant_id):
            return None
        tap = matching_pass(unit.list_auth_methods(user.tenant_id, user.id), typed, self._clock.now())
        return (user, tap) if tap is not None else None

    def signed_in_with_pass(
        self, flow: SignInFlow, found: tuple[User, AuthMethod], old_token: str | None, replace: ReplaceSession
    ) -> tuple[SignInFlow, str | None]:
        """A TAP is strong authentication (`amr` `mfa`): a user with an authenticator app is signed in; anyone
        else enrols one first (no session until then). A once-only pass is spent here."""
        user, tap = found
        now = self._clock.now()
        with self._store.transaction(write=True) as unit:
            if not unit.use_auth_method(tap, used_at=now):
                raise AadstsError.of(Aadsts.InvalidUserNameOrPassword, debug="the temporary access pass was spent")
            if self.registered(user, unit):
                session, token = replace(user, old_token, unit, ("mfa",))
                moved = authenticated(flow, user.id, session.id)
                unit.update_flow(moved)
                return moved, token
            sealed = seal_secret(self._key, new_totp_secret())
            moved = enrolment_required(flow, user.id, ("mfa",), sealed)
            unit.update_flow(moved)
        return moved, None

    def _flow_user(self, handle: str | None, state: FlowState, unit: SignInUnit) -> tuple[SignInFlow, User]:
        flow = self._flows.find(handle, unit)
        if flow.state is not state or not flow.username or not flow.user_id:
            raise FlowStateError(f"flow is in state {flow.state}, not {state}")
        user = unit.find_user_by_upn(flow.username)
        if user is None or user.id != flow.user_id:
            raise AadstsError.of(Aadsts.FlowTokenExpired, debug="the flow's user no longer exists")
        if not user.account_enabled:
            raise AadstsError.of(Aadsts.UserDisabled, debug=f"user {user.id} is disabled")
        return flow, user

    def verify(
        self, handle: str | None, code: str, old_token: str | None, replace: ReplaceSession
    ) -> tuple[SignInFlow, str]:
        """A right code of a step not used before: the session, with `amr` plus `mfa`."""
        now = self._clock.now()
        with self._store.transaction() as unit:
            flow, user = self._flow_user(handle, FlowState.MFA, unit)
            found = verify_totp(self._key, unit.list_auth_methods(user.tenant_id, user.id), code, now)
        if found is None:
            raise AadstsError.of(Aadsts.UserStrongAuthClientAuthNRequiredInterrupt, hint=WRONG_CODE)
        method, step = found
        with self._store.transaction(write=True) as unit:
            if not unit.use_auth_method(method, step=step):  # the same code raced in: the first one won
                raise AadstsError.of(Aadsts.UserStrongAuthClientAuthNRequiredInterrupt, hint=WRONG_CODE)
            return self._signed_in(flow, user, old_token, replace, unit, FlowState.MFA)

    def _signed_in(
        self,
        flow: SignInFlow,
        user: User,
        old_token: str | None,
        replace: ReplaceSession,
        unit: SignInUnit,
        expected: FlowState,
    ) -> tuple[SignInFlow, str]:
        session, token = replace(user, old_token, unit, _with_mfa(flow.auth_methods or ("pwd",)))
        moved = second_factor_verified(flow, session.id)
        if not unit.update_flow_if(moved, expected):
            raise FlowStateError("the second factor was already verified in this flow")
        return moved, token

    def enrolment(self, handle: str | None) -> tuple[str, str, str]:
        """The pending secret, its `otpauth://` URI and its QR code."""
        with self._store.transaction() as unit:
            flow, user = self._flow_user(handle, FlowState.MFA_ENROL, unit)
        if flow.pending_secret is None:
            raise FlowStateError("no secret is being enrolled")
        secret = open_secret(self._key, flow.pending_secret)
        uri = provisioning_uri(secret, user.user_principal_name)
        return secret, uri, qr_svg(uri)

    def enrol(
        self, handle: str | None, code: str, old_token: str | None, replace: ReplaceSession
    ) -> tuple[SignInFlow, str]:
        """The first code of the pending secret: store the method (audited), then the session."""
        now = self._clock.now()
        with self._store.transaction() as unit:
            flow, user = self._flow_user(handle, FlowState.MFA_ENROL, unit)
        if flow.pending_secret is None:
            raise FlowStateError("no secret is being enrolled")
        step = matching_step(open_secret(self._key, flow.pending_secret), code, now, None)
        if step is None:
            raise AadstsError.of(Aadsts.UserStrongAuthClientAuthNRequiredInterrupt, hint=WRONG_CODE)
        method = AuthMethod(
            id=new_guid(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            type=MethodType.SOFTWARE_OATH,
            display_name="Authenticator app",
            created_at=now,
            sealed_secret=flow.pending_secret,
            last_used_step=step,
        )
        with self._store.transaction(write=True) as unit:
            unit.add_auth_method(method)
            _audit_registration(unit, user, now)
            return self._signed_in(flow, user, old_token, replace, unit, FlowState.MFA_ENROL)


def _audit_registration(unit: SignInUnit, user: User, now: datetime) -> None:
    ctx = AuditContext(Actor("user", user.id, user.user_principal_name), now)
    activity = AuditActivity.REGISTER_SECURITY_INFO
    record(unit, ctx, user.tenant_id, activity, (user_target(user),), "Add")
