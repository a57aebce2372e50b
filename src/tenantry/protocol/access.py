"""Conditional access at the STS: what a user sign-in is (who, to which apps, how, from where, with which
proofs), the tenant's policies evaluated against it, and the AADSTS answer when a grant that cannot show a
page must refuse (ROPC, refresh, on-behalf-of: entra-reference §3.1 "captured pairings").

- blocked → 53003 (`invalid_grant`, `suberror` `message_only`);
- multifactor authentication missing → 50076 (`basic_action`) for a user with an authenticator app, 50079
  for one who has none to use yet;
- a password change missing → 50055 (`user_password_expired`), the error MSAL already sends to a page.

Each carries the `claims` challenge Entra sends (`capolids`: the policies asking), and every suberror above
is one msal-node turns into `InteractionRequiredAuthError`. A tenant without policies costs one cached
read; groups, roles and named locations are read only when a policy looks at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenantry.common.compact_json import compact_json
from tenantry.conditional_access.evaluation import NOTHING_APPLIES, Evaluation, SignInFacts, evaluate
from tenantry.conditional_access.models import ClientAppType, ConditionalAccessPolicy, GrantControl
from tenantry.directory.models import User
from tenantry.directory.principal_roles import list_principal_roles
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit
from tenantry.sessions.mfa import totp_methods
from tenantry.signins.models import AppliedPolicy

BLOCKED_HINT = "Your organisation's conditional access policies do not allow this sign-in."
MFA_HINT = "A conditional access policy requires multifactor authentication: sign in interactively."
ENROL_HINT = "A conditional access policy requires multifactor authentication, and no method is registered yet."
CHANGE_HINT = "A conditional access policy requires a password change: sign in interactively to change it."


@dataclass(eq=False)
class AccessRefusedError(AadstsError):
    """A refusal by conditional access, carrying the evaluation so the sign-in log can list the policies."""

    evaluation: Evaluation = field(default=NOTHING_APPLIES)


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A user sign-in as conditional access sees it. `resource_app_id` is the API the token is for, when
    known; `auth_methods` what the sign-in proved (`amr`)."""

    tenant_id: str
    user: User
    client_app_id: str
    resource_app_id: str | None
    client_app_type: ClientAppType
    ip_address: str | None
    auth_methods: tuple[str, ...]


def _looks_at_groups(policies: list[ConditionalAccessPolicy]) -> bool:
    users = (p.conditions.users for p in policies)
    return any(u.include_groups or u.exclude_groups for u in users)


def _looks_at_roles(policies: list[ConditionalAccessPolicy]) -> bool:
    users = (p.conditions.users for p in policies)
    return any(u.include_roles or u.exclude_roles for u in users)


def _facts(request: AccessRequest, policies: list[ConditionalAccessPolicy], unit: StsUnit) -> SignInFacts:
    user, tenant_id = request.user, request.tenant_id
    groups = unit.list_group_ids_of_member(tenant_id, user.id) if _looks_at_groups(policies) else ()
    roles = list_principal_roles(unit, tenant_id, user.id) if _looks_at_roles(policies) else ()
    apps = {request.client_app_id, *((request.resource_app_id,) if request.resource_app_id else ())}
    return SignInFacts(
        user_id=user.id,
        app_ids=frozenset(apps),
        client_app_type=request.client_app_type,
        ip_address=request.ip_address or None,
        is_guest=user.tenant_id != tenant_id,  # Tenantry has no B2B guests: a user of another tenant
        group_ids=frozenset(groups),
        role_template_ids=frozenset(role.id for role in roles),
        mfa_done="mfa" in request.auth_methods,
        password_changed_at=user.password_changed_at,
    )


def evaluate_access(request: AccessRequest, unit: StsUnit) -> Evaluation:
    """The tenant's policies evaluated for this sign-in (nothing applies when it has none)."""
    policies = unit.list_ca_policies(request.tenant_id)
    if not policies:
        return NOTHING_APPLIES
    uses_locations = any(p.conditions.locations is not None for p in policies)
    locations = {loc.id: loc for loc in unit.list_named_locations(request.tenant_id)} if uses_locations else {}
    return evaluate(policies, locations, _facts(request, policies, unit))


def capolids(policy_ids: tuple[str, ...]) -> str:
    """Entra's claims challenge naming the policies that ask (a JSON-encoded string)."""
    return compact_json({"access_token": {"capolids": {"essential": True, "values": list(policy_ids)}}}).decode()


def _refused(code: int, evaluation: Evaluation, suberror: str, hint: str, debug: str) -> AccessRefusedError:
    base = AccessRefusedError.of(code, hint=hint, debug=debug)
    assert isinstance(base, AccessRefusedError)
    asking = evaluation.blocked_by or evaluation.requiring
    return AccessRefusedError(
        base.spec, base.params, base.hint, base.debug, suberror, capolids(asking), evaluation=evaluation
    )


def has_authenticator(user: User, unit: StsUnit) -> bool:
    """The user has a method to complete multifactor authentication with (an authenticator app)."""
    return bool(totp_methods(unit.list_auth_methods(user.tenant_id, user.id)))


def refusal(evaluation: Evaluation, user: User, unit: StsUnit) -> AccessRefusedError | None:
    """What a grant that cannot show a page answers when conditional access does not grant; None if it does."""
    if evaluation.granted:
        return None
    who = f"user {user.id}"
    if evaluation.blocked_by:
        debug = f"{who} blocked by {', '.join(evaluation.blocked_by)}"
        return _refused(Aadsts.BlockedByConditionalAccess, evaluation, "message_only", BLOCKED_HINT, debug)
    debug = f"{who}: {', '.join(sorted(evaluation.missing))} required by {', '.join(evaluation.requiring)}"
    if GrantControl.MFA in evaluation.missing:
        if has_authenticator(user, unit):
            return _refused(Aadsts.UserStrongAuthClientAuthNRequired, evaluation, "basic_action", MFA_HINT, debug)
        return _refused(Aadsts.UserStrongAuthEnrollmentRequired, evaluation, "basic_action", ENROL_HINT, debug)
    return _refused(Aadsts.InvalidPasswordExpiredPassword, evaluation, "user_password_expired", CHANGE_HINT, debug)


def require_access(request: AccessRequest, unit: StsUnit) -> Evaluation:
    """Evaluate, and raise the refusal of a non-interactive grant; returns the evaluation for the log."""
    evaluation = evaluate_access(request, unit)
    refused = refusal(evaluation, request.user, unit)
    if refused is not None:
        raise refused
    return evaluation


def logged_policies(evaluation: Evaluation) -> tuple[AppliedPolicy, ...]:
    """The evaluation's lines for the sign-in log (`appliedConditionalAccessPolicies`)."""
    return tuple(
        AppliedPolicy(r.id, r.display_name, str(r.result), r.enforced_grant_controls) for r in evaluation.results
    )


def evaluation_of(error: AadstsError) -> Evaluation:
    """The evaluation behind a refusal by conditional access; nothing applied for any other error."""
    return error.evaluation if isinstance(error, AccessRefusedError) else NOTHING_APPLIES
