"""Conditional access at interactive sign-in (/authorize, device login): the same evaluation as the token
endpoint's, answered with pages instead of errors.

- Blocked: the 53003 error page (nothing is sent to the app).
- MFA missing: "Enter code" for a user with an authenticator app, enrolment for one without; a password
  change missing: "Update your password". The flow steps back from "signed in" (`stepped_up`) and the
  browser's session is replaced by the step's, which carries the new proof; resuming then evaluates again.
- `prompt=none` cannot show a page: 53003, or 50074 / 50072 (`interaction_required`) for a missing MFA,
  50055 for a password change.

A public client signing in through the system browser (MSAL's desktop and mobile apps: a redirect URI of the
"mobile and desktop" platform) is a `mobileAppsAndDesktopClients` client, as Entra counts it; every other
interactive sign-in is a `browser` one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenantry.conditional_access.evaluation import Evaluation
from tenantry.conditional_access.models import ClientAppType, GrantControl
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.access import (
    BLOCKED_HINT,
    CHANGE_HINT,
    AccessRefusedError,
    AccessRequest,
    evaluate_access,
    has_authenticator,
    refusal,
)
from tenantry.protocol.authorize.signin import SignedIn
from tenantry.protocol.ports import StsUnit
from tenantry.sessions.flow import FlowState, SignInFlow, stepped_up

INTERACTIVE_MFA_HINT = "A conditional access policy requires multifactor authentication."


@dataclass(frozen=True, slots=True)
class StepUp:
    """Move the flow back to a sign-in page that proves what conditional access asks for; `interrupt` is
    how the sign-in log records the interruption (50074, 50072 or 50055, with the evaluation)."""

    flow: SignInFlow
    interrupt: AccessRefusedError


def interactive_request(signed_in: SignedIn, redirect_uri: str | None, client_ip: str) -> AccessRequest:
    """The sign-in as conditional access sees it, with the session's proofs."""
    native = redirect_uri is not None and redirect_uri in signed_in.client.public_client_redirect_uris
    return AccessRequest(
        tenant_id=signed_in.tenant.id,
        user=signed_in.user,
        client_app_id=signed_in.client.app_id,
        resource_app_id=signed_in.scopes.resource.app.app_id,
        client_app_type=ClientAppType.MODERN if native else ClientAppType.BROWSER,
        ip_address=client_ip,
        auth_methods=signed_in.session.auth_methods,
    )


def blocked_page_error(evaluation: Evaluation) -> AccessRefusedError:
    """The 53003 page's error."""
    err = AccessRefusedError.of(Aadsts.BlockedByConditionalAccess, hint=BLOCKED_HINT)
    assert isinstance(err, AccessRefusedError)
    debug = "blocked by " + ", ".join(evaluation.blocked_by)
    return AccessRefusedError(err.spec, err.params, err.hint, debug, evaluation=evaluation)


def step_up(
    flow: SignInFlow,
    signed_in: SignedIn,
    evaluation: Evaluation,
    unit: StsUnit,
    new_sealed_secret: Callable[[], bytes],
) -> StepUp:
    """The page that proves the first missing control: MFA before a password change."""
    methods, upn = signed_in.session.auth_methods, signed_in.user.user_principal_name
    if GrantControl.MFA in evaluation.missing:
        if has_authenticator(signed_in.user, unit):
            interrupt = _interrupt(Aadsts.UserStrongAuthClientAuthNRequiredInterrupt, INTERACTIVE_MFA_HINT, evaluation)
            return StepUp(stepped_up(flow, FlowState.MFA, upn, methods), interrupt)
        interrupt = _interrupt(Aadsts.UserStrongAuthEnrollmentRequiredInterrupt, INTERACTIVE_MFA_HINT, evaluation)
        return StepUp(stepped_up(flow, FlowState.MFA_ENROL, upn, methods, new_sealed_secret()), interrupt)
    interrupt = _interrupt(Aadsts.InvalidPasswordExpiredPassword, CHANGE_HINT, evaluation)
    return StepUp(stepped_up(flow, FlowState.PASSWORD_CHANGE, upn, methods), interrupt)


def _interrupt(code: int, hint: str, evaluation: Evaluation) -> AccessRefusedError:
    err = AccessRefusedError.of(code, hint=hint)
    assert isinstance(err, AccessRefusedError)
    return AccessRefusedError(err.spec, err.params, err.hint, evaluation=evaluation)


def check_interactive(
    flow: SignInFlow,
    signed_in: SignedIn,
    access: AccessRequest,
    unit: StsUnit,
    new_sealed_secret: Callable[[], bytes],
) -> StepUp | AadstsError | None:
    """None when conditional access grants; else the step-up, or the block page's error."""
    evaluation = evaluate_access(access, unit)
    if evaluation.granted:
        return None
    if evaluation.blocked_by:
        return blocked_page_error(evaluation)
    return step_up(flow, signed_in, evaluation, unit, new_sealed_secret)


def silent_refusal(access: AccessRequest, unit: StsUnit) -> AadstsError | None:
    """`prompt=none`: what the app is told when conditional access does not grant; None when it does."""
    evaluation = evaluate_access(access, unit)
    refused = refusal(evaluation, access.user, unit)
    if refused is None or evaluation.blocked_by:
        return refused
    if GrantControl.MFA in evaluation.missing:
        code = Aadsts.UserStrongAuthClientAuthNRequiredInterrupt
        if not has_authenticator(access.user, unit):
            code = Aadsts.UserStrongAuthEnrollmentRequiredInterrupt
        return AadstsError.of(code, hint=INTERACTIVE_MFA_HINT)
    return AadstsError.of(Aadsts.InvalidPasswordExpiredPassword, hint=CHANGE_HINT)


def needs_more(access: AccessRequest, unit: StsUnit) -> bool:
    """Conditional access does not grant this sign-in as it stands (the resume step will say why)."""
    return not evaluate_access(access, unit).granted
