"""Expiry warnings at the 30, 7 and 1-day horizons: each (credential, horizon) warns once, a restart does
not repeat them, the narrowest horizon reached is the one that warns, and each warning is audited."""

from __future__ import annotations

from datetime import timedelta

from tenantry.app import Services, credential_lifecycle
from tenantry.apps.models import Application
from tenantry.audit.events import AuditActivity
from tenantry.common.clock import FixedClock
from tenantry.credentials.expiry import applicable_horizon
from tenantry.directory.models import Tenant

from .conftest import ServicesFactory

DAY = timedelta(days=1).total_seconds()


def _scan(services: Services) -> list[tuple[str, int]]:
    """One scan; the (keyId, horizon) pairs it warned about."""
    return [(w.credential.key_id, w.horizon_days) for w in credential_lifecycle(services).scanner.scan()]


def _warning_records(services: Services, tenant: Tenant) -> int:
    with services.store.transaction() as unit:
        records = unit.list_audit_records(tenant.id)
    return sum(r.activity == AuditActivity.CREDENTIAL_EXPIRY_WARNING for r in records)


def test_the_narrowest_horizon_reached_applies() -> None:
    """5 days left is inside 30 and 7: only the 7-day warning is due; 40 days left is inside none."""
    horizons = (30, 7, 1)
    assert applicable_horizon(timedelta(days=5), horizons) == 7
    assert applicable_horizon(timedelta(days=30), horizons) == 30
    assert applicable_horizon(timedelta(hours=20), horizons) == 1
    assert applicable_horizon(timedelta(days=40), horizons) is None


def test_each_horizon_warns_once_across_30_7_1_days(
    services: Services, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """A secret ending in 40 days: nothing now; one warning on entering 30, 7 and 1 days; scans in between
    and after expiry warn nothing; each warning has one audit record and one `ExpiryWarning` row."""
    key_id = services.credentials.add_secret(app, end=clock.now() + timedelta(days=40)).credential.key_id
    assert _scan(services) == []
    clock.advance(10 * DAY)  # 30 days left
    assert _scan(services) == [(key_id, 30)]
    assert _scan(services) == []
    clock.advance(20 * DAY)  # 10 days left
    assert _scan(services) == []
    clock.advance(3 * DAY)  # 7 days left
    assert _scan(services) == [(key_id, 7)]
    clock.advance(6 * DAY)  # 1 day left
    assert _scan(services) == [(key_id, 1)]
    assert _scan(services) == []
    clock.advance(2 * DAY)  # expired
    assert _scan(services) == []
    with services.store.transaction() as unit:
        assert [w.horizon_days for w in unit.list_expiry_warnings(tenant.id, key_id)] == [30, 7, 1]
    assert _warning_records(services, tenant) == 3


def test_warnings_survive_a_restart(
    make_services: ServicesFactory, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """New services over the same database (a server restart) do not warn again for a horizon already
    warned, and still warn for the next one."""
    first = make_services()
    key_id = first.credentials.add_secret(app, end=clock.now() + timedelta(days=20)).credential.key_id
    assert _scan(first) == [(key_id, 30)]
    restarted = make_services()
    assert _scan(restarted) == []
    clock.advance(13 * DAY)
    assert _scan(make_services()) == [(key_id, 7)]
    assert _scan(make_services()) == []


def test_certificates_and_several_apps_and_tenants_are_scanned(
    services: Services, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """Certificates warn like secrets; every tenant is scanned; a credential far from expiry is left alone."""
    cert = services.credentials.create_certificate(app, end=clock.now() + timedelta(days=6)).credential
    services.credentials.add_secret(app, end=clock.now() + timedelta(days=300))
    other = services.directory.create_tenant("Fabrikam", ["fabrikam.example"])
    foreign_app = services.apps.create_app(other.id, "Fabrikam daemon")
    foreign = services.credentials.add_secret(foreign_app, end=clock.now() + timedelta(hours=12)).credential
    assert sorted(_scan(services)) == sorted([(cert.key_id, 7), (foreign.key_id, 1)])


def test_listing_expiring_credentials_sends_nothing(
    services: Services, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """`list_expiring` (behind `tenantry credential expiring`) shows unexpired credentials ending within the
    window, soonest first, and records no warning."""
    soon = services.credentials.add_secret(app, "soon", end=clock.now() + timedelta(days=3)).credential
    later = services.credentials.create_certificate(app, end=clock.now() + timedelta(days=25)).credential
    services.credentials.add_secret(app, end=clock.now() + timedelta(days=90))
    services.credentials.add_secret(app, end=clock.now() - timedelta(days=1))  # expired: not "expiring"
    found = credential_lifecycle(services).scanner.list_expiring(timedelta(days=30))
    assert [(c.key_id, c.type, c.days_left) for c in found] == [
        (soon.key_id, "Password", 3),
        (later.key_id, "AsymmetricX509Cert", 25),
    ]
    assert found[0].hint == soon.hint
    assert _warning_records(services, tenant) == 0


def test_horizons_come_from_the_settings(
    make_services: ServicesFactory, clock: FixedClock, tenant: Tenant, app: Application
) -> None:
    """`TENANTRY_EXPIRY_HORIZONS=14,3`: a secret with 10 days left gets the 14-day warning, not a 30-day one."""
    services = make_services(expiry_horizons="3, 14")
    assert services.settings.expiry_horizon_days == (14, 3)
    key_id = services.credentials.add_secret(app, end=clock.now() + timedelta(days=10)).credential.key_id
    assert _scan(services) == [(key_id, 14)]
