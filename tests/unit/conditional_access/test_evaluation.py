"""Conditional access evaluation, table-driven: which policies apply to a sign-in, and what it lacks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tenantry.conditional_access.evaluation import PolicyOutcome, SignInFacts, evaluate
from tenantry.conditional_access.models import (
    ApplicationCondition,
    ClientAppType,
    ConditionalAccessPolicy,
    Conditions,
    GrantControl,
    GrantControls,
    LocationCondition,
    LocationKind,
    NamedLocation,
    PolicyState,
    UserCondition,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)
APP, OTHER_APP, API = "app-1", "app-2", "api-1"
ALICE, BOB = "user-alice", "user-bob"
ADMINS, GA = "group-admins", "62e90394-69f5-4237-9190-012177145e10"
OFFICE = NamedLocation("loc-office", "t", "Office", LocationKind.IP, T0, ip_ranges=("10.0.0.0/8",), is_trusted=True)
LAB = NamedLocation("loc-lab", "t", "Lab", LocationKind.IP, T0, ip_ranges=("2001:db8::/32", "192.0.2.7/32"))
FRANCE = NamedLocation("loc-fr", "t", "France", LocationKind.COUNTRY, T0, countries=("FR",))
LOCATIONS = {loc.id: loc for loc in (OFFICE, LAB, FRANCE)}


def policy(
    *controls: GrantControl,
    users: UserCondition | None = None,
    apps: tuple[str, ...] = ("All",),
    exclude_apps: tuple[str, ...] = (),
    types: tuple[ClientAppType, ...] = (ClientAppType.ALL,),
    locations: LocationCondition | None = None,
    state: PolicyState = PolicyState.ENABLED,
    operator: str = "OR",
    pid: str = "p1",
) -> ConditionalAccessPolicy:
    """A policy for everyone and every app unless told otherwise."""
    return ConditionalAccessPolicy(
        id=pid,
        tenant_id="t",
        display_name=f"policy {pid}",
        state=state,
        conditions=Conditions(
            users=users or UserCondition(include_users=("All",)),
            applications=ApplicationCondition(apps, exclude_apps),
            client_app_types=types,
            locations=locations,
        ),
        grant_controls=GrantControls(operator, controls),
        created_at=T0,
    )


FACTS = SignInFacts(
    user_id=ALICE,
    app_ids=frozenset({APP, API}),
    client_app_type=ClientAppType.BROWSER,
    ip_address="10.1.2.3",
    group_ids=frozenset({ADMINS}),
    role_template_ids=frozenset({GA}),
)
MFA = GrantControl.MFA


@pytest.mark.parametrize(
    ("conditions", "applies"),
    [
        ({}, True),
        ({"users": UserCondition(include_users=(ALICE,))}, True),
        ({"users": UserCondition(include_users=(BOB,))}, False),
        ({"users": UserCondition(include_users=("None",))}, False),
        ({"users": UserCondition(include_users=("All",), exclude_users=(ALICE,))}, False),
        ({"users": UserCondition(include_groups=(ADMINS,))}, True),
        ({"users": UserCondition(include_users=("All",), exclude_groups=(ADMINS,))}, False),
        ({"users": UserCondition(include_roles=(GA,))}, True),
        ({"users": UserCondition(include_users=("All",), exclude_roles=(GA,))}, False),
        ({"users": UserCondition(include_users=("GuestsOrExternalUsers",))}, False),
        ({"apps": (APP,)}, True),
        ({"apps": (API,)}, True),
        ({"apps": (OTHER_APP,)}, False),
        ({"apps": ("None",)}, False),
        ({"exclude_apps": (API,)}, False),
        ({"types": (ClientAppType.BROWSER,)}, True),
        ({"types": (ClientAppType.MODERN,)}, False),
        ({"types": (ClientAppType.EXCHANGE_ACTIVE_SYNC, ClientAppType.OTHER)}, False),
        ({"locations": LocationCondition(("All",))}, True),
        ({"locations": LocationCondition(("AllTrusted",))}, True),
        ({"locations": LocationCondition((OFFICE.id,))}, True),
        ({"locations": LocationCondition((LAB.id,))}, False),
        ({"locations": LocationCondition(("All",), ("AllTrusted",))}, False),
        ({"locations": LocationCondition(("All",), (LAB.id,))}, True),
        ({"locations": LocationCondition((FRANCE.id,))}, False),
        ({"locations": LocationCondition(("unknown-id",))}, False),
    ],
)
def test_conditions(conditions: dict[str, object], applies: bool) -> None:
    """Each condition alone; exclusion wins; apps match the client or the resource; countries never match."""
    result = evaluate([policy(MFA, **conditions)], LOCATIONS, FACTS)  # type: ignore[arg-type]
    assert result.results[0].result is (PolicyOutcome.FAILURE if applies else PolicyOutcome.NOT_APPLIED)
    assert result.needs_mfa is applies


@pytest.mark.parametrize(
    ("ip", "location", "applies"),
    [
        ("192.0.2.7", LAB.id, True),
        ("192.0.2.8", LAB.id, False),
        ("2001:db8::1", LAB.id, True),
        ("::ffff:10.0.0.1", OFFICE.id, True),
        ("not an address", OFFICE.id, False),
        (None, OFFICE.id, False),
    ],
)
def test_ip_ranges(ip: str | None, location: str, applies: bool) -> None:
    """IPv4 and IPv6 ranges (an IPv4-mapped address is its IPv4 one); a garbled address is in none."""
    facts = replace(FACTS, ip_address=ip)
    result = evaluate([policy(MFA, locations=LocationCondition((location,)))], LOCATIONS, facts)
    assert result.needs_mfa is applies


@pytest.mark.parametrize(
    ("controls", "operator", "mfa_done", "changed", "missing", "blocked"),
    [
        ((GrantControl.BLOCK,), "OR", True, True, set(), True),
        ((MFA,), "OR", False, False, {MFA}, False),
        ((MFA,), "OR", True, False, set(), False),
        ((GrantControl.PASSWORD_CHANGE,), "OR", True, False, {GrantControl.PASSWORD_CHANGE}, False),
        ((GrantControl.PASSWORD_CHANGE,), "OR", False, True, set(), False),
        ((MFA, GrantControl.PASSWORD_CHANGE), "OR", False, False, {MFA}, False),
        ((MFA, GrantControl.PASSWORD_CHANGE), "OR", False, True, set(), False),
        ((MFA, GrantControl.PASSWORD_CHANGE), "AND", False, False, {MFA, GrantControl.PASSWORD_CHANGE}, False),
        ((MFA, GrantControl.PASSWORD_CHANGE), "AND", True, False, {GrantControl.PASSWORD_CHANGE}, False),
        ((MFA, GrantControl.PASSWORD_CHANGE), "AND", True, True, set(), False),
        ((), "OR", False, False, set(), False),
    ],
)
def test_grant_controls(
    controls: tuple[GrantControl, ...],
    operator: str,
    mfa_done: bool,
    changed: bool,
    missing: set[GrantControl],
    blocked: bool,
) -> None:
    """OR needs one control, AND all; a password change counts when made after the policy."""
    changed_at = T0 + timedelta(minutes=1) if changed else T0 - timedelta(days=1)
    facts = replace(FACTS, mfa_done=mfa_done, password_changed_at=changed_at)
    result = evaluate([policy(*controls, operator=operator)], LOCATIONS, facts)
    assert result.missing == missing
    assert bool(result.blocked_by) is blocked
    assert result.granted is (not missing and not blocked)


def test_a_later_modification_asks_for_another_change() -> None:
    """Changing the policy restarts "change once": a password changed before the change no longer counts."""
    changed = replace(FACTS, password_changed_at=T0 + timedelta(hours=1))
    modified = replace(policy(GrantControl.PASSWORD_CHANGE), modified_at=T0 + timedelta(hours=2))
    assert evaluate([modified], LOCATIONS, changed).missing == {GrantControl.PASSWORD_CHANGE}


@pytest.mark.parametrize(
    ("state", "controls", "mfa_done", "applies", "expected"),
    [
        (PolicyState.DISABLED, (GrantControl.BLOCK,), False, True, PolicyOutcome.NOT_ENABLED),
        (PolicyState.REPORT_ONLY, (GrantControl.BLOCK,), False, True, PolicyOutcome.REPORT_ONLY_FAILURE),
        (PolicyState.REPORT_ONLY, (MFA,), False, True, PolicyOutcome.REPORT_ONLY_INTERRUPTED),
        (PolicyState.REPORT_ONLY, (MFA,), True, True, PolicyOutcome.REPORT_ONLY_SUCCESS),
        (PolicyState.REPORT_ONLY, (MFA,), False, False, PolicyOutcome.REPORT_ONLY_NOT_APPLIED),
        (PolicyState.ENABLED, (MFA,), True, True, PolicyOutcome.SUCCESS),
    ],
)
def test_states(
    state: PolicyState, controls: tuple[GrantControl, ...], mfa_done: bool, applies: bool, expected: PolicyOutcome
) -> None:
    """Disabled and report-only policies are logged and never enforced."""
    apps = ("All",) if applies else (OTHER_APP,)
    result = evaluate([policy(*controls, state=state, apps=apps)], LOCATIONS, replace(FACTS, mfa_done=mfa_done))
    assert result.results[0].result is expected
    if state is not PolicyState.ENABLED:
        assert result.granted and result.status == "notApplied"


def test_several_policies() -> None:
    """A block wins over an MFA requirement; results are listed oldest policy first; status is failure."""
    older = replace(policy(MFA, pid="b-mfa"), created_at=T0 - timedelta(days=1))
    block = policy(GrantControl.BLOCK, pid="a-block", apps=(API,))
    result = evaluate([block, older], LOCATIONS, FACTS)
    assert [r.id for r in result.results] == ["b-mfa", "a-block"]
    assert result.blocked_by == ("a-block",) and result.requiring == ("b-mfa",)
    assert result.status == "failure"
    assert evaluate([], LOCATIONS, FACTS).status == "notApplied"
    assert evaluate([policy(MFA)], LOCATIONS, replace(FACTS, mfa_done=True)).status == "success"
