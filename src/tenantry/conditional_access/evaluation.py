"""Evaluating a tenant's conditional access policies for one sign-in: which policies apply, whether each is
satisfied, and what the sign-in still lacks (a pure function; callers gather the facts and act).

Rules (Entra's, entra-reference §7.1 for the log shape):
- A policy applies when every condition it sets matches; within a condition an exclusion wins over an
  inclusion. Applications match the client's appId or the resource's (a policy "for my app" catches both
  the app signing in and tokens for its API).
- Disabled policies are `notEnabled`. Report-only policies are evaluated and their result logged
  (`reportOnlySuccess`, `reportOnlyFailure`, `reportOnlyInterrupted`, `reportOnlyNotApplied`); they never
  change the outcome.
- An enforced policy that applies is satisfied when its controls are (`OR`: one, `AND`: all): `mfa` by a
  sign-in whose methods include `mfa`, `passwordChange` by a password changed since the policy was
  created or last modified (Entra pairs that control with user risk, which Tenantry does not compute: here
  it means "everyone in scope changes their password once"), `block` never. `block` in any unsatisfied
  policy wins; otherwise the sign-in lacks the union of the controls it could still satisfy interactively.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tenantry.conditional_access.models import (
    ALL,
    ALL_TRUSTED,
    GUESTS,
    ClientAppType,
    ConditionalAccessPolicy,
    GrantControl,
    LocationKind,
    NamedLocation,
    PolicyState,
)


@dataclass(frozen=True, slots=True)
class SignInFacts:
    """What the evaluation knows about a sign-in: who (with their transitive groups and role template ids),
    to what (the client's and the resource's appIds), how (client app type, source address) and what was
    proved so far."""

    user_id: str
    app_ids: frozenset[str]
    client_app_type: ClientAppType
    ip_address: str | None = None
    is_guest: bool = False
    group_ids: frozenset[str] = frozenset()
    role_template_ids: frozenset[str] = frozenset()
    mfa_done: bool = False
    password_changed_at: datetime | None = None


class PolicyOutcome(StrEnum):
    """`appliedConditionalAccessPolicy.result`."""

    SUCCESS = "success"
    FAILURE = "failure"
    NOT_APPLIED = "notApplied"
    NOT_ENABLED = "notEnabled"
    REPORT_ONLY_SUCCESS = "reportOnlySuccess"
    REPORT_ONLY_FAILURE = "reportOnlyFailure"
    REPORT_ONLY_INTERRUPTED = "reportOnlyInterrupted"
    REPORT_ONLY_NOT_APPLIED = "reportOnlyNotApplied"


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """One policy's line in the sign-in log."""

    id: str
    display_name: str
    result: PolicyOutcome
    enforced_grant_controls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome for one sign-in: `blocked_by` the policies that block it; `missing` the controls it still
    needs (and `requiring` the policies asking for them); `results` every policy's line for the log."""

    results: tuple[PolicyResult, ...] = ()
    blocked_by: tuple[str, ...] = ()
    missing: frozenset[GrantControl] = frozenset()
    requiring: tuple[str, ...] = field(default=())

    @property
    def granted(self) -> bool:
        """Nothing blocks the sign-in and nothing is missing."""
        return not self.blocked_by and not self.missing

    @property
    def status(self) -> str:
        """`conditionalAccessStatus`: `notApplied` when no enforced policy applied, else `success` or `failure`."""
        enforced = [r for r in self.results if r.result in (PolicyOutcome.SUCCESS, PolicyOutcome.FAILURE)]
        if not enforced:
            return "notApplied"
        return "success" if self.granted else "failure"

    @property
    def needs_mfa(self) -> bool:
        """A policy asks for multifactor authentication not done yet."""
        return GrantControl.MFA in self.missing


NOTHING_APPLIES = Evaluation()


def _in_range(ip: str | None, ranges: Iterable[str]) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a dual-stack listener's view of an IPv4 client
    for text in ranges:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def _location_matches(ref: str, ip: str | None, locations: Mapping[str, NamedLocation]) -> bool:
    if ref == ALL:
        return True
    if ref == ALL_TRUSTED:
        trusted = (loc for loc in locations.values() if loc.is_trusted and loc.kind is LocationKind.IP)
        return any(_in_range(ip, loc.ip_ranges) for loc in trusted)
    location = locations.get(ref)
    return location is not None and location.kind is LocationKind.IP and _in_range(ip, location.ip_ranges)


def _user_listed(ids: tuple[str, ...], groups: tuple[str, ...], roles: tuple[str, ...], facts: SignInFacts) -> bool:
    if ALL in ids or facts.user_id in ids or (GUESTS in ids and facts.is_guest):
        return True
    return bool(facts.group_ids.intersection(groups) or facts.role_template_ids.intersection(roles))


def applies(policy: ConditionalAccessPolicy, facts: SignInFacts, locations: Mapping[str, NamedLocation]) -> bool:
    """Every condition the policy sets matches the sign-in."""
    users = policy.conditions.users
    if not _user_listed(users.include_users, users.include_groups, users.include_roles, facts):
        return False
    if _user_listed(users.exclude_users, users.exclude_groups, users.exclude_roles, facts):
        return False
    apps = policy.conditions.applications
    if ALL not in apps.include_applications and not facts.app_ids.intersection(apps.include_applications):
        return False
    if facts.app_ids.intersection(apps.exclude_applications):
        return False
    types = policy.conditions.client_app_types
    if ClientAppType.ALL not in types and facts.client_app_type not in types:
        return False
    where = policy.conditions.locations
    if where is None:
        return True
    if not any(_location_matches(ref, facts.ip_address, locations) for ref in where.include_locations):
        return False
    return not any(_location_matches(ref, facts.ip_address, locations) for ref in where.exclude_locations)


def _control_met(control: GrantControl, policy: ConditionalAccessPolicy, facts: SignInFacts) -> bool:
    if control is GrantControl.MFA:
        return facts.mfa_done
    if control is GrantControl.PASSWORD_CHANGE:
        since = policy.modified_at or policy.created_at
        return facts.password_changed_at is not None and facts.password_changed_at >= since
    return False


def satisfied(policy: ConditionalAccessPolicy, facts: SignInFacts) -> bool:
    """The policy's grant controls are met (`OR`: one of them, `AND`: all)."""
    controls = policy.grant_controls.built_in_controls
    if not controls:
        return True
    met = [_control_met(control, policy, facts) for control in controls]
    return all(met) if policy.grant_controls.operator.upper() == "AND" else any(met)


def _lacking(policy: ConditionalAccessPolicy, facts: SignInFacts) -> frozenset[GrantControl]:
    """The controls to satisfy next: for `OR`, the first unmet one offered (mfa before passwordChange);
    for `AND`, every unmet one."""
    controls = policy.grant_controls.built_in_controls
    unmet = [c for c in controls if not _control_met(c, policy, facts)]
    if policy.grant_controls.operator.upper() == "AND":
        return frozenset(unmet)
    for preferred in (GrantControl.MFA, GrantControl.PASSWORD_CHANGE):
        if preferred in unmet:
            return frozenset({preferred})
    return frozenset(unmet)


def _report_only(policy: ConditionalAccessPolicy, facts: SignInFacts, hit: bool) -> PolicyOutcome:
    if not hit:
        return PolicyOutcome.REPORT_ONLY_NOT_APPLIED
    if satisfied(policy, facts):
        return PolicyOutcome.REPORT_ONLY_SUCCESS
    if GrantControl.BLOCK in policy.grant_controls.built_in_controls:
        return PolicyOutcome.REPORT_ONLY_FAILURE
    return PolicyOutcome.REPORT_ONLY_INTERRUPTED


def evaluate(
    policies: Iterable[ConditionalAccessPolicy], locations: Mapping[str, NamedLocation], facts: SignInFacts
) -> Evaluation:
    """Every policy's result, and what blocks or is missing from the enforced ones."""
    results: list[PolicyResult] = []
    blocked: list[str] = []
    requiring: list[str] = []
    missing: set[GrantControl] = set()
    for policy in sorted(policies, key=lambda p: (p.created_at, p.id)):
        controls = tuple(str(c) for c in policy.grant_controls.built_in_controls)
        if policy.state is PolicyState.DISABLED:
            results.append(PolicyResult(policy.id, policy.display_name, PolicyOutcome.NOT_ENABLED))
            continue
        hit = applies(policy, facts, locations)
        if policy.state is PolicyState.REPORT_ONLY:
            results.append(PolicyResult(policy.id, policy.display_name, _report_only(policy, facts, hit), controls))
            continue
        if not hit:
            results.append(PolicyResult(policy.id, policy.display_name, PolicyOutcome.NOT_APPLIED))
            continue
        ok = satisfied(policy, facts)
        results.append(
            PolicyResult(
                policy.id, policy.display_name, PolicyOutcome.SUCCESS if ok else PolicyOutcome.FAILURE, controls
            )
        )
        if ok:
            continue
        if GrantControl.BLOCK in policy.grant_controls.built_in_controls:
            blocked.append(policy.id)
        else:
            requiring.append(policy.id)
            missing |= _lacking(policy, facts)
    return Evaluation(tuple(results), tuple(blocked), frozenset(missing), tuple(requiring))
