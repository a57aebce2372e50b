"""`AuditRepository` contract: append-only records, listed newest first, nested actor and targets intact."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest

from tenantry.audit.models import Actor, AuditRecord, Target
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record

ADMIN = Actor("user", "admin@contoso.example", "Ådmin Ünicode")


def audit_record(
    tenant: Tenant,
    seconds: int = 0,
    *,
    targets: tuple[Target, ...] = (),
    detail: dict[str, Any] | None = None,
    actor: Actor = ADMIN,
) -> AuditRecord:
    """A record `seconds` after NOW."""
    return AuditRecord(
        id=new_guid(),
        tenant_id=tenant.id,
        activity="Update application – Certificates and secrets management",
        category="ApplicationManagement",
        operation_type="Update",
        result="success",
        actor=actor,
        targets=targets,
        correlation_id=new_guid(),
        created_at=NOW + timedelta(seconds=seconds),
        detail=detail or {},
    )


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


def test_a_record_round_trips_with_nested_actor_targets_and_detail(store: Store, tenant: Tenant) -> None:
    """Actor, targets (with their modified properties as tuples), detail and an aware UTC time come back equal,
    even when the time was given at a non-UTC offset."""
    targets = (
        Target(
            "Application",
            new_guid(),
            "Payroll API ✓",
            (("KeyDescription", "[]", '["ci secret"]'), ("DisplayName", "old", "new")),
        ),
        Target("ServicePrincipal", new_guid()),
    )
    record = audit_record(tenant, targets=targets, detail={"keyId": new_guid(), "count": 2, "nested": {"a": [1]}})
    at_offset = replace(record, created_at=record.created_at.astimezone(timezone(timedelta(hours=5, minutes=30))))
    with store.transaction() as unit:
        unit.add_audit_record(at_offset)
    with store.transaction() as unit:
        (listed,) = unit.list_audit_records(tenant.id)
    assert listed == record
    assert listed.created_at.tzinfo is UTC
    assert isinstance(listed.targets, tuple) and isinstance(listed.targets[0].modified[0], tuple)


def test_a_system_record_without_targets_or_detail(store: Store, tenant: Tenant) -> None:
    """Empty targets and detail, and the CLI's system actor, round-trip too."""
    record = audit_record(tenant, actor=Actor("system", "tenantry-cli", "Tenantry CLI"))
    with store.transaction() as unit:
        unit.add_audit_record(record)
    with store.transaction() as unit:
        assert unit.list_audit_records(tenant.id) == [record]


def test_records_list_newest_first_and_same_instant_newest_inserted_first(store: Store, tenant: Tenant) -> None:
    """Ordered by time descending; records stamped with one instant (one request) list last-written first."""
    old, new = audit_record(tenant, -60), audit_record(tenant, 60)
    first, second, third = (audit_record(tenant) for _ in range(3))
    with store.transaction() as unit:
        for record in (new, first, second, old, third):
            unit.add_audit_record(record)
    with store.transaction() as unit:
        assert unit.list_audit_records(tenant.id) == [new, third, second, first, old]


def test_limit_keeps_the_newest(store: Store, tenant: Tenant) -> None:
    """`limit` returns the newest records only."""
    records = [audit_record(tenant, seconds) for seconds in range(5)]
    with store.transaction() as unit:
        for record in records:
            unit.add_audit_record(record)
    with store.transaction() as unit:
        assert unit.list_audit_records(tenant.id, limit=2) == [records[4], records[3]]


def test_a_record_commits_or_rolls_back_with_the_change(store: Store, tenant: Tenant) -> None:
    """The record is written in the caller's transaction: a failed transaction leaves no record."""
    record = audit_record(tenant)
    with pytest.raises(RuntimeError), store.transaction() as unit:
        unit.add_audit_record(record)
        raise RuntimeError("the audited change failed")
    with store.transaction() as unit:
        assert unit.list_audit_records(tenant.id) == []


def test_tenants_are_isolated(store: Store, tenant: Tenant) -> None:
    """Each tenant lists only its own records."""
    other = tenant_record()
    mine, theirs = audit_record(tenant), audit_record(other)
    with store.transaction() as unit:
        unit.add_tenant(other)
        unit.add_audit_record(mine)
        unit.add_audit_record(theirs)
    with store.transaction() as unit:
        assert unit.list_audit_records(tenant.id) == [mine]
        assert unit.list_audit_records(other.id) == [theirs]
