"""The Kerberos step of the sign-in flow (style P15): Entra's seamless SSO, opportunistic as in seed 003.

Once the flow knows the user's name (typed, or `login_hint`) and that user's tenant holds keys for a
realm, the browser is sent to the SSO endpoint instead of the password page. There:
- no `Authorization` header: the endpoint answers 401 `Negotiate` (the route's job); a browser that cannot
  answer follows the page's plain link back, which is 81006;
- a header: the ticket is accepted with the tenant's keys (sso/kerberos.py) and mapped to a directory user by
  its client principal; it must be the user who was chosen (81012);
- any refusal moves the flow to the password page and carries its code to the sign-in log.
A success hands the browser a proof (an HMAC of the flow and user under the master key) for the sign-in
host, where `complete` creates the session with `amr` `wia`: the SSO host may be another host name, and a
proof only the ticket's browser received stops someone who started the flow from finishing it with a
victim's ticket.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor, Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.errors import Aadsts, AadstsError
from tenantry.sessions.flow import (
    FlowState,
    FlowStateError,
    SignInFlow,
    identified,
    kerberos_declined,
    kerberos_offered,
    kerberos_proven,
    kerberos_signed_in,
)
from tenantry.sessions.mfa_steps import MfaSteps
from tenantry.sessions.repository import SignInUnit
from tenantry.sessions.service import FlowService, SessionService
from tenantry.sso.kerberos import KerberosAcceptor, KerberosRefusalError
from tenantry.sso.models import AcceptedTicket
from tenantry.sso.repository import SeamlessSsoRepository
from tenantry.sso.service import open_keys

_LOG = logging.getLogger("tenantry.sso")
_PROOF_PURPOSE = "seamless-sso-proof"
WIA = ("wia",)


class SeamlessSignInUnit(SignInUnit, SeamlessSsoRepository, Protocol):
    """The sign-in pages' unit, plus the tenants' Kerberos keys."""


class SeamlessSignInStore(Protocol):
    """One transaction per operation."""

    def transaction(self, *, write: bool = False) -> AbstractContextManager[SeamlessSignInUnit]:
        """Commit on success, roll back on error."""
        ...


class SeamlessRefusalError(Exception):
    """The ticket was refused: `error` goes to the sign-in log, the flow is now at the password page."""

    def __init__(self, error: AadstsError, flow: SignInFlow) -> None:
        super().__init__(str(error))
        self.error = error
        self.flow = flow


@dataclass(frozen=True, slots=True)
class KerberosSuccess:
    """An accepted ticket: the flow (user known, no session), the proof for the sign-in host, and the
    acceptor's mutual-authentication token for the `WWW-Authenticate` header."""

    flow: SignInFlow
    proof: str
    mutual_token: bytes | None


def negotiate_token(authorization: str) -> bytes:
    """The token of `Negotiate <base64>`: NTLM is 81005, anything else unreadable 81009."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "ntlm":
        raise KerberosRefusalError(Aadsts.DesktopSsoAuthenticationPackageNotSupported, "NTLM authorization scheme")
    if scheme.lower() != "negotiate" or not value.strip():
        raise KerberosRefusalError(Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat, f"scheme {scheme[:20]!r}")
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as err:
        raise KerberosRefusalError(Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat, "not base64") from err


class SeamlessSignIn:
    """Offer, attempt, decline and complete the Kerberos step."""

    def __init__(self, store: SeamlessSignInStore, clock: Clock, key: MasterKey, acceptor: KerberosAcceptor) -> None:
        self._store = store
        self._clock = clock
        self._key = key
        self._acceptor = acceptor
        self._flows = FlowService(clock)
        self._sessions = SessionService(clock)
        self._mfa = MfaSteps(store, clock, key)

    def _sso_tenant(self, flow: SignInFlow, name: str, unit: SeamlessSignInUnit) -> str | None:
        """The tenant of `name`'s domain (a username, or a bare domain) when it has seamless SSO and the flow
        may sign in there (a flow started on another tenant's path never tries it: SSO is per tenant)."""
        tenant = unit.find_tenant_by_domain(name.rsplit("@", 1)[-1].strip().lower())
        if tenant is None or (flow.tenant_id is not None and flow.tenant_id != tenant.id):
            return None
        return tenant.id if unit.list_sso_keys(tenant.id) else None

    def identify(self, handle: str | None, username: str) -> SignInFlow:
        """The username page's "Next": the Kerberos step when the user's tenant has seamless SSO, else the
        password page (the same answer for unknown users, so the page reveals nothing)."""
        name = username.strip()[:256]
        if not name:
            raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="username")
        with self._store.transaction(write=True) as unit:
            flow = self._flows.find(handle, unit)
            moved = identified(flow, name)
            if not flow.kerberos_tried and self._sso_tenant(flow, name, unit) is not None:
                moved = kerberos_offered(moved, name)
            unit.update_flow(moved)
        return moved

    def offer_hint(self, handle: str | None) -> SignInFlow | None:
        """A flow that starts with a `login_hint` of a seamless-SSO tenant skips the username page; so does
        one with only a `domain_hint` of such a tenant, and then the ticket says who the user is."""
        with self._store.transaction() as unit:  # read first: most views of the username page offer nothing
            flow = self._flows.find(handle, unit)
            hint = (flow.login_hint or "").strip()[:256]
            domain = hint if "@" in hint else (flow.param("domain_hint") or "").strip()[:256]
            if flow.state is not FlowState.IDENTIFY or flow.kerberos_tried or not domain:
                return None
            if self._sso_tenant(flow, domain, unit) is None:
                return None
        moved = kerberos_offered(identified(flow, hint), hint) if "@" in hint else kerberos_offered(flow, None)
        with self._store.transaction(write=True) as unit:
            return moved if unit.update_flow_if(moved, FlowState.IDENTIFY) else None

    @staticmethod
    def _domain(flow: SignInFlow) -> str:
        """Where the flow looks for seamless SSO: the chosen username's domain, else the `domain_hint`."""
        return flow.username or flow.param("domain_hint") or ""

    def pending(self, handle: str | None) -> SignInFlow:
        """The flow, which must be waiting for its ticket (else FlowStateError: the route shows its page)."""
        with self._store.transaction() as unit:
            flow = self._flows.find(handle, unit)
        if flow.state is not FlowState.KERBEROS or flow.user_id is not None:
            raise FlowStateError(f"flow is in state {flow.state}, not waiting for a ticket")
        return flow

    def attempt(self, handle: str | None, authorization: str | None) -> KerberosSuccess | None:
        """Accept the ticket in `authorization` for the flow's chosen user; SeamlessRefusalError otherwise.
        None: no header yet, the endpoint challenges (a tenant no longer opted in is refused at once)."""
        flow = self.pending(handle)
        try:
            with self._store.transaction() as unit:
                tenant_id = self._sso_tenant(flow, self._domain(flow), unit)
                if tenant_id is None:
                    raise KerberosRefusalError(Aadsts.DesktopSsoTenantIsNotOptIn, "no seamless SSO keys")
                if authorization is None:
                    return None
                keys = open_keys(unit.list_sso_keys(tenant_id), self._key)
            ticket = self._acceptor.accept(negotiate_token(authorization), keys)
            return self._proven(flow, tenant_id, ticket)
        except KerberosRefusalError as refusal:
            raise SeamlessRefusalError(
                self._refused(flow, refusal.code, refusal.detail), self._fall_back(flow)
            ) from None

    def _proven(self, flow: SignInFlow, tenant_id: str, ticket: AcceptedTicket) -> KerberosSuccess:
        with self._store.transaction(write=True) as unit:
            user = unit.find_user_by_kerberos_principal(tenant_id, ticket.client_principal)
            if user is None:
                raise KerberosRefusalError(
                    Aadsts.DesktopSsoLookupUserBySidFailed, f"no user for {ticket.client_principal}"
                )
            if not user.account_enabled:
                raise KerberosRefusalError(Aadsts.UserDisabled, f"user {user.id} is disabled")
            if flow.username and flow.username.lower() != user.user_principal_name.lower():
                detail = f"ticket of {ticket.client_principal} ({user.id}), but {flow.username!r} was chosen"
                raise KerberosRefusalError(Aadsts.DesktopSsoMismatchBetweenTokenUpnAndChosenUpn, detail)
            moved = kerberos_proven(flow, user.id, user.user_principal_name)
            if not unit.update_flow_if(moved, FlowState.KERBEROS):
                raise FlowStateError("the flow moved on while its ticket was checked")
            self._audit(unit, user, ticket)
        _LOG.info(
            "seamless SSO: ticket of %s accepted for user %s (service %s@%s, kvno %s)",
            *(ticket.client_principal, user.id, ticket.service, ticket.realm, ticket.kvno),
        )
        return KerberosSuccess(moved, self._proof(moved, user.id), ticket.mutual_token)

    def _audit(self, unit: SeamlessSignInUnit, user: User, ticket: AcceptedTicket) -> None:
        """The seed's event 4769 analog: which realm, client principal and key version signed the user in."""
        details = (
            ("realm", "", ticket.realm),
            ("clientPrincipal", "", ticket.client_principal),
            ("servicePrincipal", "", f"{ticket.service}@{ticket.realm}"),
            ("keyVersion", "", str(ticket.kvno)),
        )
        ctx = AuditContext(Actor("user", user.id, user.user_principal_name), self._clock.now())
        target = Target("User", user.id, user.user_principal_name, details)
        record(unit, ctx, user.tenant_id, AuditActivity.SEAMLESS_SSO_SIGN_IN, (target,), "Other")

    def _refused(self, flow: SignInFlow, code: Aadsts, detail: str) -> AadstsError:
        _LOG.info("seamless SSO refused for %r: AADSTS%d (%s)", flow.username, int(code), detail)
        return AadstsError.of(code, debug=detail)

    def _fall_back(self, flow: SignInFlow) -> SignInFlow:
        moved = kerberos_declined(flow)
        with self._store.transaction(write=True) as unit:
            unit.update_flow_if(moved, FlowState.KERBEROS)
        return moved

    def decline(self, handle: str | None) -> tuple[SignInFlow, AadstsError]:
        """The browser came back without answering the 401 (81006): the password page."""
        flow = self.pending(handle)
        error = self._refused(flow, Aadsts.DesktopSsoNoAuthorizationHeader, "the 401 challenge was not answered")
        return self._fall_back(flow), error

    def _proof(self, flow: SignInFlow, user_id: str) -> str:
        mac = self._key.mac(_PROOF_PURPOSE, flow.handle_hash + user_id.encode("utf-8"))
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def complete(self, handle: str | None, proof: str, old_token: str | None) -> tuple[SignInFlow, str | None]:
        """Back on the sign-in host with the proof: replace the browser's session with one of `amr` `wia`; or,
        for a user who must give a second factor (as after a password), "Enter code" with no session yet."""
        with self._store.transaction(write=True) as unit:
            flow = self._flows.find(handle, unit)
            if flow.state is not FlowState.KERBEROS or flow.user_id is None:
                raise FlowStateError(f"flow is in state {flow.state}, no ticket accepted")
            if not hmac.compare_digest(proof.encode("ascii", "replace"), self._proof(flow, flow.user_id).encode()):
                raise FlowStateError("the proof of the accepted ticket does not match")
            user = unit.find_user(flow.tenant_id or "", flow.user_id) or unit.find_user_by_upn(flow.username or "")
            if user is None or user.id != flow.user_id or not user.account_enabled:
                raise AadstsError.of(Aadsts.UserDisabled, debug=f"user {flow.user_id} is disabled or gone")
            second = self._mfa.after_password(flow, user, unit, WIA)
            if second is not None:
                if not unit.update_flow_if(second, FlowState.KERBEROS):
                    raise FlowStateError("the flow was already completed")
                return second, None
            old = self._sessions.find(old_token, unit)
            if old is not None:
                self._sessions.revoke(old.id, unit)
            session, token = self._sessions.start(user, unit, auth_methods=WIA)
            moved = kerberos_signed_in(flow, user.id, session.id)
            if not unit.update_flow_if(moved, FlowState.KERBEROS):
                raise FlowStateError("the flow was already completed")
        return moved, token
