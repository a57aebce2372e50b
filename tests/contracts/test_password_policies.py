"""`PasswordPolicyRepository` contract and `PasswordPolicyService` on both backends: absent → defaults,
upsert round-trip (unicode terms, None validity), tenant isolation, audited changes."""

from __future__ import annotations

import pytest

from tenantry.audit.events import AuditActivity
from tenantry.common.clock import FixedClock
from tenantry.directory.models import PasswordPolicy, Tenant
from tenantry.passwords.service import PasswordPolicyError, PasswordPolicyService
from tenantry.store.unit_of_work import Store

from .conftest import tenant_record


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


@pytest.fixture
def policies(store: Store, clock: FixedClock) -> PasswordPolicyService:
    """The service over the store under test."""
    return PasswordPolicyService(store.transaction, clock)


def test_a_tenant_without_a_policy_has_none_stored(store: Store, tenant: Tenant) -> None:
    """Absent is None, not an empty row."""
    with store.transaction() as unit:
        assert unit.find_password_policy(tenant.id) is None


@pytest.mark.parametrize(
    "policy",
    [
        PasswordPolicy("", 90, ("contoso", "fabrikam", "ünïcödé")),
        PasswordPolicy("", None, ()),
        PasswordPolicy("", 730, ("x" * 16,)),
    ],
)
def test_save_then_find_round_trips_and_replaces(store: Store, tenant: Tenant, policy: PasswordPolicy) -> None:
    """Upsert by tenant: the second save replaces the first."""
    mine = PasswordPolicy(tenant.id, policy.validity_days, policy.banned_terms)
    with store.transaction() as unit:
        unit.save_password_policy(PasswordPolicy(tenant.id, 14, ("first",)))
        unit.save_password_policy(mine)
    with store.transaction() as unit:
        assert unit.find_password_policy(tenant.id) == mine


def test_policies_stay_in_their_tenant(store: Store, tenant: Tenant) -> None:
    """One tenant's policy is not another's."""
    other = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(other)
        unit.save_password_policy(PasswordPolicy(tenant.id, 30, ("mine",)))
    with store.transaction() as unit:
        assert unit.find_password_policy(other.id) is None
        assert unit.find_password_policy(tenant.id) == PasswordPolicy(tenant.id, 30, ("mine",))


def test_service_defaults_then_changes_only_what_is_given_and_audits(
    store: Store, tenant: Tenant, policies: PasswordPolicyService
) -> None:
    """Defaults: never expires, no custom terms. Each change keeps the rest and writes one audit record."""
    assert policies.policy_for(tenant.id) == PasswordPolicy(tenant.id, None, ())
    policies.set_policy(tenant.id, validity_days=90, banned_add=("Contoso", "blank", "contoso"))
    changed = policies.set_policy(tenant.id, banned_remove=("BLANK",), banned_add=("fabrikam",))
    assert changed == PasswordPolicy(tenant.id, 90, ("contoso", "fabrikam"))
    assert policies.set_policy(tenant.id, never_expire=True).validity_days is None
    assert policies.policy_for(tenant.id) == PasswordPolicy(tenant.id, None, ("contoso", "fabrikam"))
    with store.transaction() as unit:
        records = unit.list_audit_records(tenant.id)
    assert [r.activity for r in records] == [AuditActivity.SET_PASSWORD_POLICY.value] * 3
    assert records[-1].targets[0].modified == (
        ("passwordValidityPeriodInDays", "", "90"),
        ("bannedPasswordList", "", "contoso,blank"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"validity_days": 0}, "1 to 730 days"),
        ({"validity_days": 731}, "1 to 730 days"),
        ({"validity_days": 30, "never_expire": True}, "usage error"),
        ({"banned_add": ("abc",)}, "4 to 16 characters"),
        ({"banned_add": ("x" * 17,)}, "4 to 16 characters"),
    ],
)
def test_service_refuses_bad_changes_and_stores_nothing(
    store: Store, tenant: Tenant, policies: PasswordPolicyService, change: dict[str, object], message: str
) -> None:
    """Out-of-range days, both expiry options, terms outside 4–16 characters."""
    with pytest.raises(PasswordPolicyError, match=message):
        policies.set_policy(tenant.id, **change)  # type: ignore[arg-type]
    with store.transaction() as unit:
        assert unit.find_password_policy(tenant.id) is None
