"""Whether /authorize can answer at once from the SSO session, must show sign-in pages, or must ask for
consent; it only reads (style P5). The prompts map to named checks, as node-oidc-provider's do (P15):

- `prompt=none`: never interact. No session → 50058 (`login_required`); an invalid session → 50132 /
  50133; a `login_hint` naming someone else or `max_age` exceeded → 50058; consent missing → 65001,
  admin-only scopes → 90094 (entra-reference §6.7).
- `prompt=login` and an exceeded `max_age` force the password again; `select_account` shows the account
  picker; `prompt=consent` shows the consent page even when consent exists.
- A `login_hint` that names another user than the session's starts a sign-in with the hint prefilled.
- Conditional access that blocks the session's user or asks for more than the session proved: the resume
  step shows the page (protocol/authorize/access.py); with `prompt=none`, the app gets the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.access import interactive_request, needs_more, silent_refusal
from tenantry.protocol.authorize.context import AuthorizeRequest
from tenantry.protocol.authorize.signin import ClientRequest, SignedIn, complete_sign_in
from tenantry.protocol.delegation import require_consent
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.sessions.flow import FlowEntry, FlowState
from tenantry.sessions.service import ActiveSession, check_session


@dataclass(frozen=True, slots=True)
class IssueCode:
    """Answer the app now."""

    signed_in: SignedIn


@dataclass(frozen=True, slots=True)
class NeedsSignIn:
    """Show the sign-in pages, starting as `entry` says."""

    entry: FlowEntry


@dataclass(frozen=True, slots=True)
class NeedsConsent:
    """Signed in already; the consent page must be shown."""

    signed_in: SignedIn


@dataclass(frozen=True, slots=True)
class NeedsStepUp:
    """Signed in, but conditional access blocks or asks for more: the resume step shows the page."""

    signed_in: SignedIn


Decision = IssueCode | NeedsSignIn | NeedsConsent | NeedsStepUp


def is_max_age_exceeded(request: AuthorizeRequest, found: ActiveSession, now: datetime) -> bool:
    """OIDC Core §3.1.2.1: the last authentication is older than `max_age` seconds."""
    return request.max_age is not None and now - found.session.auth_time > timedelta(seconds=request.max_age)


def is_other_user(request: AuthorizeRequest, found: ActiveSession) -> bool:
    """The `login_hint` names someone other than the signed-in user."""
    hint = request.login_hint
    return hint is not None and hint.lower() != found.user.user_principal_name.lower()


def session_problem(found: ActiveSession | None, now: datetime) -> AadstsError | None:
    """Why the cookie's session can no longer sign in (50132 / 50133 / 50057), or None."""
    if found is None:
        return None
    try:
        check_session(found.session, found.user, now)
    except AadstsError as err:
        return err
    return None


def _silent(
    request: AuthorizeRequest, found: ActiveSession | None, unit: StsUnit, deps: AuthorizeDeps, client_ip: str
) -> Decision:
    """`prompt=none`: answer from the session or fail with the error Entra gives."""
    now = deps.clock.now()
    problem = session_problem(found, now)
    if problem is not None:
        raise problem
    if found is None:
        raise AadstsError.of(Aadsts.UserInformationNotProvided)
    if is_other_user(request, found):
        raise AadstsError.of(Aadsts.UserInformationNotProvided).with_hint(
            "None of the signed-in users matches the login_hint."
        )
    if is_max_age_exceeded(request, found, now):
        raise AadstsError.of(Aadsts.UserInformationNotProvided).with_hint("The session is older than max_age.")
    signed_in = complete_sign_in(ClientRequest.of(request), found.user, found.session, unit, deps)
    refused = silent_refusal(interactive_request(signed_in, request.target.redirect_uri, client_ip), unit)
    if refused is not None:
        raise refused
    require_consent(signed_in.consent, request.client)
    return IssueCode(signed_in)


def _interaction(request: AuthorizeRequest, found: ActiveSession | None, now: datetime) -> FlowEntry | None:
    """Where the sign-in pages start, or None when the session can be used as it is."""
    hint = request.login_hint
    if found is None:
        return FlowEntry(FlowState.IDENTIFY, login_hint=hint)
    if is_other_user(request, found):
        return FlowEntry(FlowState.IDENTIFY, login_hint=hint, allow_sso=False)
    upn = found.user.user_principal_name
    if session_problem(found, now) is not None or request.prompt == "login" or is_max_age_exceeded(request, found, now):
        return FlowEntry(FlowState.PASSWORD, login_hint=hint, username=upn, allow_sso=False)
    if request.prompt == "select_account":
        return FlowEntry(FlowState.IDENTIFY, login_hint=hint, allow_sso=True)
    return None


def decide(
    request: AuthorizeRequest, found: ActiveSession | None, unit: StsUnit, deps: AuthorizeDeps, client_ip: str = ""
) -> Decision:
    """The SSO decision; user-dependent failures (50020, 50105, 90094, …) raise `AadstsError`."""
    if request.prompt == "none":
        return _silent(request, found, unit, deps, client_ip)
    entry = _interaction(request, found, deps.clock.now())
    if entry is not None or found is None:
        return NeedsSignIn(entry or FlowEntry())
    signed_in = complete_sign_in(ClientRequest.of(request), found.user, found.session, unit, deps)
    if needs_more(interactive_request(signed_in, request.target.redirect_uri, client_ip), unit):
        return NeedsStepUp(signed_in)
    if signed_in.consent.gap.admin_only:
        require_consent(signed_in.consent, request.client)
    if request.prompt == "consent" or not signed_in.consent.gap.satisfied:
        return NeedsConsent(signed_in)
    return IssueCode(signed_in)
