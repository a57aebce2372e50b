"""`SignInLogRepository` contract: batches round-trip, listing newest first with each filter, purge by age,
tenant isolation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.signins.models import AppliedPolicy, ClientApp, EventType, SignInEntry, SignInQuery
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record


def entry(tenant: Tenant, seconds: int = 0, **changes: object) -> SignInEntry:
    """A successful interactive sign-in `seconds` after NOW."""
    base = SignInEntry(
        id=new_guid(),
        created_at=NOW + timedelta(seconds=seconds),
        tenant_id=tenant.id,
        event_type=EventType.INTERACTIVE_USER,
        user_id=new_guid(),
        user_principal_name="Ådele@contoso.example",
        user_display_name="Ådele Vance",
        app_id=new_guid(),
        app_display_name="Contoso web",
        resource_id="00000003-0000-0000-c000-000000000000",
        resource_display_name="Microsoft Graph",
        ip_address="127.0.0.2",
        client_app_used=ClientApp.BROWSER,
        correlation_id=new_guid(),
        is_interactive=True,
        applied_conditional_access_policies=(AppliedPolicy("p1", "Require MFA", "success", ("mfa",)),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


def test_a_batch_round_trips_and_lists_newest_first(store: Store, tenant: Tenant) -> None:
    """Every field comes back equal (aware UTC time included); same instant: last inserted first."""
    first, second, same_instant = entry(tenant, 0), entry(tenant, 5, status_error_code=50126), entry(tenant, 5)
    with store.transaction(write=True) as unit:
        unit.add_sign_ins([first, second, same_instant])
    with store.transaction() as unit:
        listed = unit.list_sign_ins(SignInQuery(tenant.id))
        found = unit.find_sign_in(tenant.id, second.id)
    assert listed == [same_instant, second, first]
    assert found == second


def test_filters_by_error_user_app_and_time(store: Store, tenant: Tenant) -> None:
    """errorCode, userPrincipalName and appId (both case-insensitively), and an inclusive time range."""
    app = new_guid()
    failed = entry(tenant, 10, status_error_code=50053, user_principal_name="Bob@Contoso.example", app_id=app)
    ok = entry(tenant, 20)
    with store.transaction(write=True) as unit:
        unit.add_sign_ins([failed, ok])
    with store.transaction() as unit:
        assert unit.list_sign_ins(SignInQuery(tenant.id, error_code=50053)) == [failed]
        assert unit.list_sign_ins(SignInQuery(tenant.id, user_principal_name="bob@contoso.EXAMPLE")) == [failed]
        assert unit.list_sign_ins(SignInQuery(tenant.id, app_id=app.upper())) == [failed]
        assert unit.list_sign_ins(SignInQuery(tenant.id, since=NOW + timedelta(seconds=20))) == [ok]
        assert unit.list_sign_ins(SignInQuery(tenant.id, until=NOW + timedelta(seconds=10))) == [failed]
        assert unit.list_sign_ins(SignInQuery(tenant.id, limit=1)) == [ok]


def test_purge_deletes_only_older_entries_and_tenants_stay_apart(store: Store, tenant: Tenant) -> None:
    """Purging by age spares newer entries; another tenant sees none of these."""
    old, new = entry(tenant, -3600), entry(tenant, 0)
    other = tenant_record()
    with store.transaction(write=True) as unit:
        unit.add_tenant(other)
        unit.add_sign_ins([old, new])
        assert unit.purge_sign_ins(NOW - timedelta(seconds=1)) >= 1
    with store.transaction() as unit:
        assert unit.list_sign_ins(SignInQuery(tenant.id)) == [new]
        assert unit.list_sign_ins(SignInQuery(other.id)) == []
        assert unit.find_sign_in(other.id, new.id) is None
