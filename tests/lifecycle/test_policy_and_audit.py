"""Secret lifetimes and the tenant cap (entra-reference §4.6, §4.7), several valid secrets at once, computed
status, and the audit record every credential change writes (style P14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.app import Services
from tenantry.apps.models import Application
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.clock import FixedClock
from tenantry.credentials.errors import CredentialError, CredentialPolicyError
from tenantry.credentials.policy import DEFAULT_POLICY_ID, PORTAL_LIFETIME_DAYS
from tenantry.credentials.service import secret_end
from tenantry.credentials.status import credential_status
from tenantry.directory.models import Tenant

POLICY_MESSAGE = f"Credential lifetime exceeds the max value allowed as per assigned policy '{DEFAULT_POLICY_ID}'."


def _activities(services: Services, tenant: Tenant) -> list[str]:
    with services.store.transaction() as unit:
        return [r.activity for r in reversed(unit.list_audit_records(tenant.id))]


@pytest.mark.parametrize("days", PORTAL_LIFETIME_DAYS)
def test_portal_presets_set_the_end(clock: FixedClock, days: int) -> None:
    """`--days` takes exactly the portal's presets and ends the secret that many days from now."""
    assert secret_end(clock.now(), None, None, days=days) == clock.now() + timedelta(days=days)


def test_other_lifetimes_and_combinations_are_usage_errors(clock: FixedClock) -> None:
    """A preset the portal does not offer, or two ways of giving the end, is refused with az's wording."""
    with pytest.raises(CredentialError, match="--days must be one of 90, 180, 365, 545, 730"):
        secret_end(clock.now(), None, None, days=100)
    with pytest.raises(CredentialError, match="usage error"):
        secret_end(clock.now(), 1, None, days=90)
    with pytest.raises(CredentialError) as both:
        secret_end(clock.now(), 1, clock.now() + timedelta(days=3))
    assert str(both.value) == "usage error: --years | --end-date"


def test_policy_caps_new_secrets_with_entras_message(services: Services, tenant: Tenant, app: Application) -> None:
    """With a 180-day cap, 180 days passes, 181 days (and az's one-year default) fails with Entra's message."""
    now = services.clock.now()
    services.credentials.set_policy(tenant.id, timedelta(days=180))
    assert services.credentials.add_secret(app, end=now + timedelta(days=180)).credential.end == now + timedelta(180)
    with pytest.raises(CredentialPolicyError) as refused:
        services.credentials.add_secret(app, end=now + timedelta(days=181))
    assert str(refused.value) == POLICY_MESSAGE
    assert (refused.value.code, refused.value.detail_code, refused.value.target) == (
        "CredentialInvalidLifetimeAsPerAppPolicy",
        "InvalidKeyEndDate",
        "EndDate",
    )
    with pytest.raises(CredentialPolicyError):
        services.credentials.add_secret(app)  # the default lifetime is one year
    assert isinstance(refused.value, CredentialError), "callers catching CredentialError still catch it"


def test_refused_reset_keeps_the_old_secrets(services: Services, tenant: Tenant, app: Application) -> None:
    """A reset without --append that the policy refuses removes nothing: one transaction, checked first."""
    old = services.credentials.add_secret(app).credential
    services.credentials.set_policy(tenant.id, timedelta(days=90))
    with pytest.raises(CredentialPolicyError):
        services.credentials.reset_secret(app, append=False, end=services.clock.now() + timedelta(days=365))
    secrets, _ = services.credentials.list_credentials(app)
    assert [s.key_id for s in secrets] == [old.key_id]


def test_policy_is_per_tenant_and_can_be_cleared(services: Services, tenant: Tenant, app: Application) -> None:
    """Another tenant's cap does not apply; clearing the cap allows long secrets again."""
    other = services.directory.create_tenant("Fabrikam", ["fabrikam.example"])
    services.credentials.set_policy(other.id, timedelta(days=30))
    services.credentials.add_secret(app, end=services.clock.now() + timedelta(days=700))
    services.credentials.set_policy(tenant.id, timedelta(days=30))
    assert services.credentials.find_policy(tenant.id).max_password_lifetime == timedelta(days=30)  # type: ignore[union-attr]
    services.credentials.set_policy(tenant.id, None)
    services.credentials.add_secret(app, end=services.clock.now() + timedelta(days=700))
    with pytest.raises(CredentialError):
        services.credentials.set_policy(tenant.id, timedelta(0))


def test_several_secrets_valid_at_once_and_expired_ones_stay_listed(
    services: Services, clock: FixedClock, app: Application
) -> None:
    """Rotation without downtime: a second secret is added while the first stays; once the first expires
    it is still listed, with the status "expired", until someone deletes it."""
    first = services.credentials.add_secret(app, "first", end=clock.now() + timedelta(days=10)).credential
    second = services.credentials.reset_secret(app, append=True, display_name="second").credential
    secrets, _ = services.credentials.list_credentials(app)
    assert {s.key_id for s in secrets} == {first.key_id, second.key_id}
    assert all(s.is_active(clock.now()) for s in secrets)
    assert credential_status(first.start, first.end, clock.now()) == "expiring in 10 days"
    clock.advance(timedelta(days=11).total_seconds())
    secrets, _ = services.credentials.list_credentials(app)
    statuses = {s.key_id: credential_status(s.start, s.end, clock.now()) for s in secrets}
    assert statuses == {first.key_id: "expired", second.key_id: "valid"}


def test_every_credential_change_is_audited(services: Services, tenant: Tenant, app: Application) -> None:
    """Add and remove of secrets and certificates, resets and policy changes each write one record, with the
    actor and correlation id the caller gave; no record carries a secret value."""
    ctx = AuditContext(Actor("system", "ops", "Tenantry CLI (ops)"), services.clock.now(), "corr-1")
    secret = services.credentials.add_secret(app, "ci", audit=ctx)
    made = services.credentials.create_certificate(app, audit=ctx)
    services.credentials.reset_secret(app, append=False)  # removes "ci", adds a new one
    assert services.credentials.delete_credential(app, made.credential.key_id, audit=ctx)
    services.credentials.set_policy(tenant.id, timedelta(days=180), audit=ctx)
    assert _activities(services, tenant)[-6:] == [
        AuditActivity.ADD_SECRET,
        AuditActivity.ADD_CERTIFICATE,
        AuditActivity.REMOVE_SECRET,
        AuditActivity.ADD_SECRET,
        AuditActivity.REMOVE_CERTIFICATE,
        AuditActivity.UPDATE_POLICY,
    ]
    with services.store.transaction() as unit:
        records = unit.list_audit_records(tenant.id)
    mine = [r for r in records if r.correlation_id == "corr-1"]
    assert len(mine) == 4
    assert {r.actor for r in mine} == {ctx.actor}
    added = next(r for r in mine if r.activity == AuditActivity.ADD_SECRET)
    assert added.targets[0].id == app.id
    assert added.targets[0].modified[0][2] == (
        f"[KeyIdentifier={secret.credential.key_id},KeyType=Password,KeyUsage=Verify,DisplayName=ci]"
    )
    system = [r for r in records if r.correlation_id != "corr-1" and r.activity != AuditActivity.ADD_APPLICATION]
    assert {r.actor.kind for r in system} == {"system"}
    assert secret.secret_text not in repr(records)
    assert made.private_key_pem not in repr(records)
