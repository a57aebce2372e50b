"""The resume step: where the sign-in pages hand back a flow whose user has signed in.

It re-validates the stored request (the app may have changed meanwhile), checks that the browser still
holds the flow's SSO session, and then per kind of flow either asks for consent (storing the prompt for
the consent page) or completes: a code for /authorize, an approved device code for /devicelogin, the
admin-consent reply for /adminconsent. Planning only reads; `apply` does the writes (style P5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tenantry.errors import Aadsts, AadstsError
from tenantry.http.paths import CONSENT_PATH, DEVICE_DONE_PATH, LOGIN_PATH, with_flow
from tenantry.protocol.authorize.access import StepUp, check_interactive, interactive_request
from tenantry.protocol.authorize.context import AuthorizeRequest, Endpoint, ReplyTarget
from tenantry.protocol.authorize.issue import issue_reply
from tenantry.protocol.authorize.outcomes import ErrorPage, Outcome, ToApp, ToAppError, ToPage, rejected
from tenantry.protocol.authorize.pipeline import AuthorizeRejectedError, validate
from tenantry.protocol.authorize.signin import (
    ClientRequest,
    SignedIn,
    admin_consent_prompt,
    client_for_admin_consent,
    complete_sign_in,
    consent_prompt,
)
from tenantry.protocol.client_auth import Presented
from tenantry.protocol.delegation import require_consent
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantRef, resolve_tenant
from tenantry.protocol.users import sign_in_tenant
from tenantry.sessions.consent import may_grant_admin_consent
from tenantry.sessions.flow import ConsentPrompt, FlowState, SignInFlow, completed, consent_needed
from tenantry.sessions.service import ActiveSession, check_session
from tenantry.tokens.models import DeviceCode


@dataclass(frozen=True, slots=True)
class AskConsent:
    """Store the prompt; the browser goes to the consent page."""

    flow: SignInFlow
    prompt: ConsentPrompt


@dataclass(frozen=True, slots=True)
class CompleteAuthorize:
    """Issue the code and close the flow."""

    flow: SignInFlow
    request: AuthorizeRequest
    signed_in: SignedIn


@dataclass(frozen=True, slots=True)
class SettleDevice:
    """Approve (or, when `signed_in` is None, decline) the device code and close the flow."""

    flow: SignInFlow
    device: DeviceCode
    signed_in: SignedIn | None


@dataclass(frozen=True, slots=True)
class CompleteAdminConsent:
    """Close the flow and tell the app the tenant consented."""

    flow: SignInFlow
    target: ReplyTarget
    params: dict[str, str]


Action = AskConsent | CompleteAuthorize | SettleDevice | CompleteAdminConsent | StepUp
ACTIONS = (AskConsent, CompleteAuthorize, SettleDevice, CompleteAdminConsent, StepUp)


class Resumer:
    """Plans and applies the resume step for each kind of flow."""

    def __init__(self, deps: AuthorizeDeps) -> None:
        self._deps = deps
        self._sessions = deps.sessions

    def flow_session(self, flow: SignInFlow, token: str | None, unit: StsUnit) -> ActiveSession:
        """The browser must still hold the session the flow signed in with (binding flow and browser)."""
        found = self._sessions.lookup(token, unit)
        if found is None or found.session.id != flow.session_id:
            raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint(
                "The sign-in cookie was not sent back: allow cookies for this site and sign in again."
            )
        check_session(found.session, found.user, self._deps.clock.now())
        return found

    def _consent_step(self, flow: SignInFlow, signed_in: SignedIn, unit: StsUnit, *, forced: bool) -> AskConsent | None:
        """Admin-only scopes → 90094; still missing after the user consented → 65001; else maybe ask."""
        gap = signed_in.consent.gap
        if gap.admin_only:
            require_consent(signed_in.consent, signed_in.client)
        if flow.consented:
            require_consent(signed_in.consent, signed_in.client)
            return None
        if forced or not gap.satisfied:
            return AskConsent(flow, consent_prompt(signed_in, unit, everything=forced))
        return None

    def _stored_request(
        self, endpoint: Endpoint, flow: SignInFlow, ref: TenantRef, unit: StsUnit, base_url: str = ""
    ) -> AuthorizeRequest | Outcome:
        """The flow's stored request, validated again; or what to answer instead: its rejection, or the
        error a failed flow (consent declined) sends back to the app."""
        try:
            request = validate(endpoint, ref, flow.request, unit, self._deps, base_url)
        except AuthorizeRejectedError as rejection:
            return rejected(rejection.error, rejection.target)
        if flow.state is FlowState.FAILED:
            return ToAppError(request.target, AadstsError.of(flow.error_code or Aadsts.UserDeclinedConsent))
        return request

    def _access_step(
        self, flow: SignInFlow, signed_in: SignedIn, redirect_uri: str | None, client_ip: str, unit: StsUnit
    ) -> StepUp | ErrorPage | None:
        """Conditional access: None when it grants, else the step-up or the block page."""
        access = interactive_request(signed_in, redirect_uri, client_ip)
        verdict = check_interactive(flow, signed_in, access, unit, self._deps.new_sealed_secret)
        return ErrorPage(verdict) if isinstance(verdict, AadstsError) else verdict

    def plan_authorize(
        self,
        flow: SignInFlow,
        ref: TenantRef,
        token: str | None,
        unit: StsUnit,
        client_ip: str = "",
        base_url: str = "",
    ) -> Outcome | Action:
        """A code for the stored authorize request, after conditional access's steps and consent."""
        request = self._stored_request(Endpoint.AUTHORIZE, flow, ref, unit, base_url)
        if not isinstance(request, AuthorizeRequest):
            return request
        try:
            found = self.flow_session(flow, token, unit)
            signed_in = complete_sign_in(ClientRequest.of(request), found.user, found.session, unit, self._deps)
            more = self._access_step(flow, signed_in, request.target.redirect_uri, client_ip, unit)
            if more is not None:
                return more
            ask = self._consent_step(flow, signed_in, unit, forced=request.prompt == "consent")
        except AadstsError as err:
            return rejected(err, request.target)
        return ask or CompleteAuthorize(flow, request, signed_in)

    def plan_device(self, flow: SignInFlow, token: str | None, unit: StsUnit, client_ip: str = "") -> Outcome | Action:
        """Approve the device code (RFC 8628 §3.3) once signed in and consented; errors are shown, not sent."""
        device = unit.find_device_code_by_user_code(flow.param("user_code") or "")
        if device is None:
            return ErrorPage(AadstsError.of(Aadsts.BadVerificationCode))
        if device.expires_at <= self._deps.clock.now():
            return ErrorPage(AadstsError.of(Aadsts.CodeExpired))
        if device.status != "pending":
            return ErrorPage(AadstsError.of(Aadsts.InvalidDeviceFlowRequest))
        if flow.state is FlowState.FAILED:
            return SettleDevice(flow, device, None)
        try:
            ref = resolve_tenant(device.tenant_segment, unit)
            client = self._deps.client_authenticator.find_app(
                Presented(device.client_id, None, None, None), unit, ref.segment
            )
            found = self.flow_session(flow, token, unit)
            request = ClientRequest(ref, client, None, " ".join(device.scopes))
            signed_in = complete_sign_in(request, found.user, found.session, unit, self._deps)
            more = self._access_step(flow, signed_in, None, client_ip, unit)
            if more is not None:
                return more
            ask = self._consent_step(flow, signed_in, unit, forced=False)
        except AadstsError as err:
            return ErrorPage(err)
        return ask or SettleDevice(flow, device, signed_in)

    def plan_admin_consent(
        self, flow: SignInFlow, ref: TenantRef, token: str | None, unit: StsUnit
    ) -> Outcome | Action:
        """Tenant-wide consent by an administrator; a non-administrator gets 90094, a refusal 65004."""
        request = self._stored_request(Endpoint.ADMIN_CONSENT, flow, ref, unit)
        if not isinstance(request, AuthorizeRequest):
            return request
        try:
            found = self.flow_session(flow, token, unit)
            tenant = sign_in_tenant(ref, found.user, unit)
            if not may_grant_admin_consent(found.user, request.client, unit):
                hint = "Sign in with an account holding an administrator role that may grant these permissions."
                raise AadstsError.of(Aadsts.AdminConsentRequired).with_hint(hint)
            client_for_admin_consent(request.client, request.client_sp, tenant, unit, self._deps)
        except AadstsError as err:
            return rejected(err, request.target)
        if not flow.consented:
            return AskConsent(flow, admin_consent_prompt(request.client, tenant, unit))
        params = {"tenant": tenant.id, **({"state": request.state} if request.state is not None else {})}
        return CompleteAdminConsent(flow, request.target, {**params, "admin_consent": "True"})

    def apply(self, action: Action, handle: str, unit: StsUnit, base_url: str) -> Outcome:
        """The writes of the resume step."""
        if isinstance(action, AskConsent):
            unit.update_flow(consent_needed(action.flow, action.prompt))
            return ToPage(with_flow(CONSENT_PATH, handle))
        if isinstance(action, CompleteAuthorize):
            _complete(action.flow, unit)
            params = issue_reply(action.request, action.signed_in, unit, self._deps, base_url)
            return ToApp(action.request.target, params)
        if isinstance(action, SettleDevice):
            return self._settle_device(action, handle, unit)
        if isinstance(action, StepUp):
            if not unit.update_flow_if(action.flow, expected=FlowState.CONSENT):
                raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint("This sign-in moved on meanwhile.")
            return ToPage(with_flow(LOGIN_PATH, handle))
        _complete(action.flow, unit)
        return ToApp(action.target, action.params)

    def _settle_device(self, action: SettleDevice, handle: str, unit: StsUnit) -> Outcome:
        signed_in = action.signed_in
        if signed_in is None:
            settled = replace(action.device, status="declined")
        else:
            _complete(action.flow, unit)
            settled = replace(
                action.device,
                status="approved",
                tenant_id=signed_in.tenant.id,
                user_id=signed_in.user.id,
                auth_time=signed_in.auth_time,
            )
            self._sessions.touch(signed_in.session.id, unit)
        if not unit.update_device_code_if(settled, expected_status=action.device.status):
            raise AadstsError.of(Aadsts.InvalidDeviceFlowRequest).with_hint("This code was already used.")
        return ToPage(with_flow(DEVICE_DONE_PATH, handle))


def _complete(flow: SignInFlow, unit: StsUnit) -> None:
    """Mark the flow complete before anything is issued, as a compare-and-set: the plan was made in an
    earlier transaction, so two resumes of one flow (a double click, a replayed URL) can both reach here,
    and only one may issue a code. The loser's transaction rolls back and it sees AADSTS50089."""
    if not unit.update_flow_if(completed(flow), expected=flow.state):
        raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint("This sign-in was already completed.")
