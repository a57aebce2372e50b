"""The interactive sign-in flow: an explicit, persisted state machine (style P15).

A flow starts when /authorize, /devicelogin or /adminconsent needs the user; it is stored server-side
behind an opaque handle (only its SHA-256 is stored) and expires after `FLOW_LIFETIME` (AADSTS50089).
Each transition is a function that checks the current state, so a replayed or out-of-order form post
cannot skip a step (a password post after the password step, a consent post before sign-in).

```mermaid
stateDiagram-v2
    [*] --> identify: no usable session
    [*] --> password: re-authenticate a known user (prompt=login, max_age, invalid session)
    [*] --> consent: valid session, consent missing
    identify --> password: username entered
    identify --> kerberos: username entered (or login_hint, or a domain_hint alone), its tenant has seamless SSO
    kerberos --> password: no usable Kerberos ticket (81004-81012 logged), silently
    kerberos --> identify: the same, when only a domain_hint led here (no username yet)
    kerberos --> kerberos: ticket accepted on the SSO host (user known, `amr` wia, no session yet)
    kerberos --> consent: back on the sign-in host with the proof, SSO session created (amr wia)
    kerberos --> mfa: the same, but the user has an authenticator app (no session yet; amr wia mfa after)
    kerberos --> mfa_enrol: the same, per-user MFA required and no authenticator app yet
    kerberos --> identify: "use another account"
    identify --> consent: "continue as" the signed-in account
    password --> identify: "use another account"
    password --> kmsi: password verified, SSO session created
    password --> password_change: password verified, but it must be changed (no session yet)
    password --> mfa: password verified, the user has an authenticator app (no session yet)
    password --> mfa_enrol: a Temporary Access Pass was used, or MFA is required, no authenticator app yet
    password --> kmsi: a Temporary Access Pass was used by a user with an authenticator app
    mfa --> mfa: code wrong or already used
    mfa --> kmsi: code verified, SSO session created (amr pwd mfa)
    mfa_enrol --> mfa_enrol: code wrong
    mfa_enrol --> kmsi: first code verified, method stored, SSO session created
    mfa --> identify: "use another account"
    mfa_enrol --> identify: "use another account"
    password_change --> mfa: password changed, the user has an authenticator app (no session yet)
    password_change --> mfa_enrol: password changed, MFA is required, no authenticator app yet
    password_change --> password_change: current password wrong, new one refused (120000/120002/120003/120018)
    password_change --> identify: "use another account"
    password_change --> kmsi: password changed, SSO session created
    kmsi --> consent: "Stay signed in?" answered
    kmsi --> sspr_register: answered, and the user must register SSPR methods (50125-style interrupt)
    sspr_register --> consent: methods registered, or "Remind me later"
    consent --> mfa: conditional access asks for MFA the session lacks (step-up; the session is set aside)
    consent --> mfa_enrol: the same, for a user with no authenticator app yet
    consent --> password_change: conditional access asks for a password change
    consent --> consent: consent prompt stored / accepted
    consent --> complete: code issued, device approved, admin consent granted
    identify --> failed
    kerberos --> failed
    password --> failed
    password_change --> failed
    mfa --> failed
    mfa_enrol --> failed
    kmsi --> failed
    consent --> failed: consent declined (AADSTS65004)
    complete --> [*]
    failed --> [*]
```

In `password_change` the password was right but the user must change it (an administrator's reset, or a
password older than the tenant's validity period): the flow knows the user, but no SSO session exists and
no cookie is set until the new password is stored, so nothing can be resumed, redeemed or reused from it.

In `kerberos` the browser is on its way to the SSO endpoint (sso/kerberos.py, seed 003): the ticket it
presents there proves the user (`user_id` set, `auth_methods` `wia`), but the session is created only when
the browser comes back to the sign-in host with the proof the SSO endpoint handed it, since the SSO host
may be another host name, whose cookies the sign-in host never sees.

In `mfa` and `mfa_enrol` the first factor was proven (`auth_methods` holds `pwd`, or `mfa` for a Temporary
Access Pass) but, as in `password_change`, no session exists until the second factor is: the TOTP secret being
enrolled waits in the flow, sealed under the master key (`pending_secret`). See sessions/mfa.py.

The state `consent` means "signed in": the protocol's resume step decides there whether consent is
missing (it then stores a `ConsentPrompt` for the consent page) or the flow can complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

FLOW_LIFETIME = timedelta(minutes=30)


class FlowKind(StrEnum):
    """What started the flow, and so what completing it means."""

    AUTHORIZE = "authorize"
    DEVICE = "device"
    ADMIN_CONSENT = "admin_consent"


class FlowState(StrEnum):
    """Where the user is in the sign-in."""

    IDENTIFY = "identify"
    PASSWORD = "password"  # noqa: S105 - a state name
    KERBEROS = "kerberos"
    PASSWORD_CHANGE = "password_change"  # noqa: S105 - a state name
    MFA = "mfa"
    MFA_ENROL = "mfa_enrol"
    KMSI = "kmsi"
    SSPR_REGISTER = "sspr_register"
    CONSENT = "consent"
    COMPLETE = "complete"
    FAILED = "failed"


TERMINAL = frozenset({FlowState.COMPLETE, FlowState.FAILED})
# The states before the user is signed in: the STS's resume step sends these back to the sign-in pages.
SIGNING_IN = frozenset(
    {
        FlowState.IDENTIFY,
        FlowState.PASSWORD,
        FlowState.KERBEROS,
        FlowState.PASSWORD_CHANGE,
        FlowState.MFA,
        FlowState.MFA_ENROL,
        FlowState.KMSI,
        FlowState.SSPR_REGISTER,
    }
)


_SECOND_FACTOR = (FlowState.MFA, FlowState.MFA_ENROL)


class FlowStateError(ValueError):
    """A transition that the flow's current state does not allow (a replayed or out-of-order post)."""


@dataclass(frozen=True, slots=True)
class ConsentPrompt:
    """What the consent page asks: computed by the protocol, shown and recorded by the sign-in pages.

    `scopes` are the permission values to grant on the resource; `lines` are what the page shows.
    `admin` asks for tenant-wide (admin) consent to everything the client statically requires.
    """

    tenant_id: str
    client_app_id: str
    client_name: str
    resource_app_id: str
    resource_name: str
    scopes: tuple[str, ...]
    lines: tuple[str, ...]
    admin: bool = False


@dataclass(frozen=True, slots=True)
class SignInFlow:
    """One sign-in in progress. `request` holds the validated authorize parameters (re-validated on
    resume), or `{"user_code": …}` for a device flow; `tenant_id` is the path's tenant when concrete."""

    handle_hash: bytes
    kind: FlowKind
    state: FlowState
    tenant_segment: str
    tenant_id: str | None
    client_id: str
    request: Mapping[str, str]
    created_at: datetime
    expires_at: datetime
    login_hint: str | None = None
    username: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    allow_sso: bool = True
    consent: ConsentPrompt | None = None
    consented: bool = False
    error_code: int | None = None
    auth_methods: tuple[str, ...] = ()
    pending_secret: bytes | None = None
    # Seamless SSO was tried and gave nothing: it is not offered again in this flow (no 401 loop).
    kerberos_tried: bool = False

    @property
    def tenant_label(self) -> str:
        """How messages name the tenant: its GUID, or the alias the client used."""
        return self.tenant_id or self.tenant_segment

    def is_expired(self, now: datetime) -> bool:
        """Past its lifetime (AADSTS50089)."""
        return now >= self.expires_at

    def param(self, name: str) -> str | None:
        """One stored request parameter."""
        return self.request.get(name)


@dataclass(frozen=True, slots=True)
class FlowOrigin:
    """What started a flow: its kind, the tenant path segment, the client and the request to resume."""

    kind: FlowKind
    tenant_segment: str
    tenant_id: str | None
    client_id: str
    request: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FlowEntry:
    """Where a new flow starts: identify, password (re-authenticating a known user) or consent (SSO)."""

    state: FlowState = FlowState.IDENTIFY
    login_hint: str | None = None
    username: str | None = None
    allow_sso: bool = True


def new_flow(handle_hash: bytes, origin: FlowOrigin, now: datetime, entry: FlowEntry | None = None) -> SignInFlow:
    """A fresh flow that expires `FLOW_LIFETIME` from now."""
    entry = entry or FlowEntry()
    return SignInFlow(
        handle_hash=handle_hash,
        kind=origin.kind,
        state=entry.state,
        tenant_segment=origin.tenant_segment,
        tenant_id=origin.tenant_id,
        client_id=origin.client_id,
        request=MappingProxyType(dict(origin.request)),
        created_at=now,
        expires_at=now + FLOW_LIFETIME,
        login_hint=entry.login_hint,
        username=entry.username,
        allow_sso=entry.allow_sso,
    )


def _require(flow: SignInFlow, *states: FlowState) -> None:
    if flow.state not in states:
        raise FlowStateError(f"flow is in state {flow.state}, not {', '.join(states)}")


def identified(flow: SignInFlow, username: str) -> SignInFlow:
    """The user typed a username: ask for the password."""
    _require(flow, FlowState.IDENTIFY, FlowState.PASSWORD)
    return replace(flow, state=FlowState.PASSWORD, username=username)


def use_another_account(flow: SignInFlow) -> SignInFlow:
    """Back to the username page, forgetting the account (and never reusing the session)."""
    _require(
        flow,
        *(FlowState.IDENTIFY, FlowState.PASSWORD, FlowState.KERBEROS),
        *(FlowState.PASSWORD_CHANGE, FlowState.MFA, FlowState.MFA_ENROL),
    )
    return replace(
        flow,
        state=FlowState.IDENTIFY,
        username=None,
        user_id=None,
        allow_sso=False,
        auth_methods=(),
        pending_secret=None,
    )


def kerberos_offered(flow: SignInFlow, username: str | None) -> SignInFlow:
    """The user's tenant has seamless SSO: try the browser's Kerberos ticket before asking for a password
    (`username` None: only a `domain_hint` named the tenant, the ticket will name the user)."""
    _require(flow, FlowState.IDENTIFY, FlowState.PASSWORD)
    return replace(flow, state=FlowState.KERBEROS, username=username, user_id=None, auth_methods=())


def kerberos_proven(flow: SignInFlow, user_id: str, username: str) -> SignInFlow:
    """The ticket named `user_id` (Windows integrated authentication, `amr` `wia`), who becomes the flow's
    user when only a `domain_hint` was given. No session exists yet."""
    _require(flow, FlowState.KERBEROS)
    if flow.user_id is not None:
        raise FlowStateError("a ticket was already accepted in this flow")
    return replace(flow, user_id=user_id, username=flow.username or username, auth_methods=("wia",))


def kerberos_declined(flow: SignInFlow) -> SignInFlow:
    """No usable ticket: the password page, as if seamless SSO had never been tried (seed 003); the username
    page when only a `domain_hint` led here."""
    _require(flow, FlowState.KERBEROS)
    if flow.user_id is not None:
        raise FlowStateError("the ticket was already accepted")
    state = FlowState.PASSWORD if flow.username else FlowState.IDENTIFY
    return replace(flow, state=state, auth_methods=(), kerberos_tried=True)


def kerberos_signed_in(flow: SignInFlow, user_id: str, session_id: str) -> SignInFlow:
    """Back on the sign-in host with the ticket's proof: the SSO session exists, on to the app."""
    _require(flow, FlowState.KERBEROS)
    if flow.user_id is None or flow.user_id != user_id:
        raise FlowStateError("no ticket was accepted for this user in this flow")
    return replace(flow, state=FlowState.CONSENT, session_id=session_id)


def authenticated(flow: SignInFlow, user_id: str, session_id: str) -> SignInFlow:
    """The password was right and an SSO session exists: ask "Stay signed in?"."""
    _require(flow, FlowState.PASSWORD)
    return replace(flow, state=FlowState.KMSI, user_id=user_id, session_id=session_id)


def password_change_required(flow: SignInFlow, user_id: str) -> SignInFlow:
    """The password was right but must be changed: ask for a new one. No session exists yet."""
    _require(flow, FlowState.PASSWORD)
    return replace(flow, state=FlowState.PASSWORD_CHANGE, user_id=user_id, session_id=None)


def second_factor_required(flow: SignInFlow, user_id: str, methods: tuple[str, ...]) -> SignInFlow:
    """The first factor (`methods`: `pwd`, or `wia` from a Kerberos ticket) was proven and the user has an
    authenticator app: ask for a code. No session exists yet."""
    _require(flow, FlowState.PASSWORD, FlowState.PASSWORD_CHANGE, FlowState.KERBEROS)
    if flow.user_id not in (None, user_id):
        raise FlowStateError("the second factor was asked for another user than the flow's")
    return replace(flow, state=FlowState.MFA, user_id=user_id, session_id=None, auth_methods=methods)


def enrolment_required(flow: SignInFlow, user_id: str, methods: tuple[str, ...], sealed_secret: bytes) -> SignInFlow:
    """A Temporary Access Pass was used (`methods`: `mfa`), or the password (`pwd`) of a user whose per-user
    MFA is required, by a user without an authenticator app: show the new secret and ask for its first code.
    No session exists yet."""
    _require(flow, FlowState.PASSWORD, FlowState.PASSWORD_CHANGE, FlowState.KERBEROS)
    return replace(
        flow,
        state=FlowState.MFA_ENROL,
        user_id=user_id,
        session_id=None,
        auth_methods=methods,
        pending_secret=sealed_secret,
    )


def second_factor_verified(flow: SignInFlow, session_id: str) -> SignInFlow:
    """The code was right (and, when enrolling, the method stored): an SSO session exists, ask "Stay signed in?"."""
    _require(flow, FlowState.MFA, FlowState.MFA_ENROL)
    return replace(flow, state=FlowState.KMSI, session_id=session_id, pending_secret=None)


def password_changed(flow: SignInFlow, user_id: str, session_id: str) -> SignInFlow:
    """The new password is stored and an SSO session exists: ask "Stay signed in?"."""
    _require(flow, FlowState.PASSWORD_CHANGE)
    if flow.user_id != user_id:
        raise FlowStateError("the password was changed for another user than the flow's")
    return replace(flow, state=FlowState.KMSI, session_id=session_id)


def kmsi_answered(flow: SignInFlow) -> SignInFlow:
    """ "Stay signed in?" answered either way: the user is signed in."""
    _require(flow, FlowState.KMSI)
    return replace(flow, state=FlowState.CONSENT)


def registration_required(flow: SignInFlow) -> SignInFlow:
    """Signed in, but the user is in SSPR scope without enough methods (or due to re-confirm them): the
    "More information required" interrupt (sessions/sspr/registration.py) comes before the app."""
    _require(flow, FlowState.CONSENT)
    return replace(flow, state=FlowState.SSPR_REGISTER)


def registration_answered(flow: SignInFlow) -> SignInFlow:
    """Methods registered, or the interrupt put off: on to the app."""
    _require(flow, FlowState.SSPR_REGISTER)
    return replace(flow, state=FlowState.CONSENT)


def account_selected(flow: SignInFlow, user_id: str, session_id: str) -> SignInFlow:
    """The user continued with the account of a valid SSO session (select_account, device login)."""
    _require(flow, FlowState.IDENTIFY)
    if not flow.allow_sso:
        raise FlowStateError("this flow requires a fresh sign-in")
    return replace(flow, state=FlowState.CONSENT, user_id=user_id, session_id=session_id)


def signed_in_by_session(flow: SignInFlow, user_id: str, session_id: str) -> SignInFlow:
    """A flow created for a user already signed in (consent only): straight to the consent stage."""
    return replace(flow, state=FlowState.CONSENT, user_id=user_id, session_id=session_id)


STEP_UP_STATES = frozenset({FlowState.MFA, FlowState.MFA_ENROL, FlowState.PASSWORD_CHANGE})


def stepped_up(
    flow: SignInFlow, state: FlowState, username: str, methods: tuple[str, ...], sealed_secret: bytes | None = None
) -> SignInFlow:
    """Signed in, but conditional access asks for more than the session proved (`methods`, its `amr`): back
    to "Enter code", authenticator enrolment (with a new sealed secret) or "Update your password". The
    flow forgets the session, so nothing can be resumed until the step is done; the step's success
    replaces the browser's session with one carrying the new proof."""
    _require(flow, FlowState.CONSENT)
    if state not in STEP_UP_STATES or (state is FlowState.MFA_ENROL) != (sealed_secret is not None):
        raise FlowStateError(f"no step-up to {state}")
    return replace(
        flow,
        state=state,
        username=username,
        session_id=None,
        auth_methods=methods,
        pending_secret=sealed_secret,
        consent=None,
        consented=False,
    )


def consent_needed(flow: SignInFlow, prompt: ConsentPrompt) -> SignInFlow:
    """The resume step found consent missing: the consent page will show `prompt`."""
    _require(flow, FlowState.CONSENT)
    return replace(flow, consent=prompt, consented=False)


def consent_given(flow: SignInFlow) -> SignInFlow:
    """The user accepted; the grant was recorded in the same transaction."""
    _require(flow, FlowState.CONSENT)
    if flow.consent is None:
        raise FlowStateError("no consent was asked")
    return replace(flow, consent=None, consented=True)


def completed(flow: SignInFlow) -> SignInFlow:
    """The flow reached its goal; the handle cannot be used again."""
    _require(flow, FlowState.CONSENT)
    return replace(flow, state=FlowState.COMPLETE, consent=None)


def failed(flow: SignInFlow, code: int) -> SignInFlow:
    """The flow ends with an AADSTS error (for example 65004 when consent is declined)."""
    if flow.state in TERMINAL:
        raise FlowStateError(f"flow already {flow.state}")
    return replace(flow, state=FlowState.FAILED, consent=None, error_code=code)
