"""The interactive STS endpoints' logic, free of HTTP: authorize, resume, and starting admin consent.

Each request validates and decides in a read transaction, then writes (code, flow) in a write
transaction (style P5). Errors found before `client_id` and `redirect_uri` are validated become the error
page; later ones go to the app when the catalogue marks them redirectable (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from tenantry.common.context import RequestContext
from tenantry.errors import Aadsts, AadstsError
from tenantry.http.paths import CONSENT_PATH, LOGIN_PATH, resume_path, with_flow
from tenantry.protocol.access import AccessRefusedError, logged_policies
from tenantry.protocol.authorize.access import StepUp
from tenantry.protocol.authorize.context import AuthorizeRequest, Endpoint, read_parameters
from tenantry.protocol.authorize.decide import (
    IssueCode,
    NeedsConsent,
    NeedsSignIn,
    NeedsStepUp,
    decide,
    session_problem,
)
from tenantry.protocol.authorize.issue import issue_reply
from tenantry.protocol.authorize.outcomes import ErrorPage, Outcome, ToApp, ToPage, rejected
from tenantry.protocol.authorize.pipeline import AuthorizeRejectedError, validate
from tenantry.protocol.authorize.resume import ACTIONS, Action, Resumer
from tenantry.protocol.authorize.signin import consent_prompt
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import resolve_tenant
from tenantry.sessions.flow import (
    SIGNING_IN,
    FlowEntry,
    FlowKind,
    FlowOrigin,
    FlowState,
    SignInFlow,
    consent_needed,
    new_flow,
    signed_in_by_session,
)
from tenantry.sessions.service import FlowService


def _origin(kind: FlowKind, request: AuthorizeRequest) -> FlowOrigin:
    tenant_id = request.tenant.tenant.id if request.tenant.tenant else None
    return FlowOrigin(kind, request.tenant.segment, tenant_id, request.client.app_id, request.params)


class AuthorizeService:
    """`/authorize`, `/authorize/resume` and `/adminconsent`."""

    def __init__(self, deps: AuthorizeDeps) -> None:
        self._deps = deps
        self._sessions = deps.sessions
        self._flows = FlowService(deps.clock)
        self._resumer = Resumer(deps)

    def _validate(
        self, endpoint: Endpoint, segment: str, pairs: Iterable[tuple[str, str]], unit: StsUnit, base_url: str = ""
    ) -> AuthorizeRequest | Outcome:
        try:
            params = read_parameters(pairs)
            ref = resolve_tenant(segment, unit)
        except AadstsError as err:
            return ErrorPage(err)
        try:
            return validate(endpoint, ref, params, unit, self._deps, base_url)
        except AuthorizeRejectedError as rejection:
            return rejected(rejection.error, rejection.target)

    def authorize(
        self, segment: str, pairs: Iterable[tuple[str, str]], token: str | None, base_url: str, client_ip: str = ""
    ) -> Outcome:
        """Answer from the SSO session, or start a sign-in flow."""
        with self._deps.store.transaction() as unit:
            request = self._validate(Endpoint.AUTHORIZE, segment, pairs, unit, base_url)
            if not isinstance(request, AuthorizeRequest):
                return request
            try:
                decision = decide(request, self._sessions.lookup(token, unit), unit, self._deps, client_ip)
            except AadstsError as err:
                return rejected(err, request.target)
        with self._deps.store.transaction(write=True) as unit:
            if isinstance(decision, IssueCode):
                return ToApp(request.target, issue_reply(request, decision.signed_in, unit, self._deps, base_url))
            handle, digest = FlowService.new_handle()
            origin = _origin(FlowKind.AUTHORIZE, request)
            if isinstance(decision, NeedsSignIn):
                self._flows.add(new_flow(digest, origin, self._deps.clock.now(), decision.entry), unit)
                return ToPage(with_flow(LOGIN_PATH, handle))
            if isinstance(decision, NeedsStepUp):  # the resume step shows conditional access's page
                flow = new_flow(digest, origin, self._deps.clock.now())
                user, session = decision.signed_in.user, decision.signed_in.session
                self._flows.add(signed_in_by_session(flow, user.id, session.id), unit)
                return ToPage(resume_path(request.tenant.segment, handle))
            assert isinstance(decision, NeedsConsent)
            signed_in = decision.signed_in
            flow = new_flow(digest, origin, self._deps.clock.now())
            flow = signed_in_by_session(flow, signed_in.user.id, signed_in.session.id)
            prompt = consent_prompt(signed_in, unit, everything=request.prompt == "consent")
            self._flows.add(consent_needed(flow, prompt), unit)
            return ToPage(with_flow(CONSENT_PATH, handle))

    def start_admin_consent(self, segment: str, pairs: Iterable[tuple[str, str]], token: str | None) -> Outcome:
        """`/adminconsent`: validate client and redirect URI, then sign in (or reuse the session) and resume."""
        with self._deps.store.transaction() as unit:
            request = self._validate(Endpoint.ADMIN_CONSENT, segment, pairs, unit)
            if not isinstance(request, AuthorizeRequest):
                return request
            found = self._sessions.lookup(token, unit)
            usable = found is not None and session_problem(found, self._deps.clock.now()) is None
        with self._deps.store.transaction(write=True) as unit:
            handle, digest = FlowService.new_handle()
            entry = FlowEntry(FlowState.IDENTIFY, allow_sso=False)
            flow = new_flow(digest, _origin(FlowKind.ADMIN_CONSENT, request), self._deps.clock.now(), entry)
            if found is not None and usable:
                self._flows.add(signed_in_by_session(flow, found.user.id, found.session.id), unit)
                return ToPage(resume_path(request.tenant.segment, handle))
            self._flows.add(flow, unit)
            return ToPage(with_flow(LOGIN_PATH, handle))

    def resume(self, segment: str, handle: str | None, token: str | None, ctx: RequestContext) -> Outcome:
        """Continue a flow the sign-in pages finished (or that needs consent)."""
        outcome, plan = self._resume(segment, handle, token, ctx.base_url, ctx.client_ip)
        self._log_access(handle, plan if isinstance(outcome, ToPage) else outcome, ctx)
        return outcome

    def _log_access(self, handle: str | None, step: Outcome | Action | None, ctx: RequestContext) -> None:
        """Conditional access's block page and step-ups go to the sign-in log with each policy's result."""
        log = self._deps.page_sign_ins
        refused = step.interrupt if isinstance(step, StepUp) else getattr(step, "error", None)
        if log is None or not isinstance(refused, AccessRefusedError):
            return
        evaluation = refused.evaluation
        log.failed(handle, refused, ctx, (evaluation.status, logged_policies(evaluation)))

    def _resume(
        self, segment: str, handle: str | None, token: str | None, base_url: str, client_ip: str
    ) -> tuple[Outcome, Outcome | Action | None]:
        """The outcome, and the plan it came from (None when the flow could not be planned)."""
        with self._deps.store.transaction() as unit:
            try:
                flow = self._flows.find(handle, unit)
                if flow.tenant_segment.lower() != segment.lower():
                    raise AadstsError.of(Aadsts.FlowTokenExpired)
                if flow.state is FlowState.COMPLETE:
                    raise AadstsError.of(Aadsts.FlowTokenExpired).with_hint("This sign-in was already completed.")
                assert handle is not None
                plan = self._plan(flow, segment, handle, token, unit, (client_ip, base_url))
            except AadstsError as err:
                return ErrorPage(err), None
        if not isinstance(plan, ACTIONS):
            return plan, plan
        try:
            with self._deps.store.transaction(write=True) as unit:
                return self._resumer.apply(plan, handle, unit, base_url), plan
        except AadstsError as err:  # a concurrent resume won (the transaction rolled back)
            return ErrorPage(err), None

    def _plan(
        self, flow: SignInFlow, segment: str, handle: str, token: str | None, unit: StsUnit, where: tuple[str, str]
    ) -> Outcome | Action:
        """Back to the sign-in pages while the user is not signed in; else the kind's own plan (`where`: the
        client's address and the public URL)."""
        client_ip, base_url = where
        if flow.state in SIGNING_IN:
            return ToPage(with_flow(LOGIN_PATH, handle))
        if flow.kind is FlowKind.DEVICE:
            return self._resumer.plan_device(flow, token, unit, client_ip)
        ref = resolve_tenant(segment, unit)
        if flow.kind is FlowKind.ADMIN_CONSENT:
            return self._resumer.plan_admin_consent(flow, ref, token, unit)
        return self._resumer.plan_authorize(flow, ref, token, unit, client_ip, base_url)
