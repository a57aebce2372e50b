"""The sign-in log's writer, retention and CLI (issue 12 §5): `tenantry logs signins` with its filters, the
purge of entries older than `sign_in_log_retention_days` (by `purge` and by the writer thread), and a writer
that survives a database error (logs it, drops that batch, writes the next)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from tenantry.app import Services
from tenantry.common.clock import FixedClock
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.signins.models import EventType, SignInEntry, SignInQuery
from tenantry.signins.repository import SignInLogRepository
from tenantry.signins.service import SignInLog

from .conftest import Run


def entry(tenant: Tenant, clock: FixedClock, age: timedelta = timedelta(0), **fields: Any) -> SignInEntry:
    """A sign-in of `tenant`, `age` before the clock's now."""
    return SignInEntry(
        id=new_guid(),
        created_at=clock.now() - age,
        tenant_id=tenant.id,
        event_type=EventType.NON_INTERACTIVE_USER,
        correlation_id=new_guid(),
        **fields,
    )


def ids(log: SignInLog, tenant: Tenant) -> list[str]:
    """The tenant's entry ids, newest first."""
    return [e.id for e in log.list(SignInQuery(tenant.id))]


def test_cli_lists_and_filters(run: Run, services: Services, tenant: Tenant, clock: FixedClock) -> None:
    """`--error`, `--user`, `--app`, `--top` and `--json`; the table names who, the app and the code."""
    app_id = new_guid()
    ok = entry(tenant, clock, timedelta(minutes=2), user_principal_name="ada@contoso.example", app_id=app_id)
    refused = entry(
        tenant, clock, timedelta(minutes=1), user_principal_name="bob@contoso.example", status_error_code=50126
    )
    for e in (ok, refused):
        services.sign_ins.record(e)
    services.sign_ins.flush()

    def listed(*args: str) -> list[str]:
        result = run("logs", "signins", "--tenant", "contoso.example", *args, "--json")
        return [v["id"] for v in json.loads(result.stdout)]

    assert listed() == [refused.id, ok.id]
    assert listed("--error", "50126") == [refused.id]
    assert listed("--error", "0") == [ok.id]
    assert listed("--user", "ADA@contoso.example") == [ok.id]
    assert listed("--app", app_id) == [ok.id]
    assert listed("--top", "1") == [refused.id]
    [view] = json.loads(run("logs", "signins", "--error", "50126", "--json").stdout)
    assert view["status"] == {"errorCode": 50126, "failureReason": None}
    assert view["correlationId"] == refused.correlation_id
    assert (view["conditionalAccessStatus"], view["appliedConditionalAccessPolicies"]) == ("notApplied", [])
    table = run("logs", "signins").stdout
    assert "bob@contoso.example" in table and "50126" in table


def test_retention_purges_older_entries(services: Services, tenant: Tenant, clock: FixedClock) -> None:
    """Default 30 days: an entry 31 days old goes, one a day old stays; the writer thread purges on its own,
    an hour after the last purge."""
    old, recent = entry(tenant, clock, timedelta(days=31)), entry(tenant, clock, timedelta(days=1))
    services.sign_ins.record(old)
    services.sign_ins.record(recent)
    services.sign_ins.flush()
    assert services.sign_ins.purge() == 1
    assert ids(services.sign_ins, tenant) == [recent.id]
    older = entry(tenant, clock, timedelta(days=40))
    services.sign_ins.record(older)
    services.sign_ins.flush()
    clock.advance(3600)
    services.sign_ins.start()
    try:
        deadline = time.monotonic() + 5
        while older.id in ids(services.sign_ins, tenant) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        services.sign_ins.stop()
    assert ids(services.sign_ins, tenant) == [recent.id]


class FlakyWrites:
    """The store's write transaction, failing the first `failures` times it is opened."""

    def __init__(self, services: Services, failures: int) -> None:
        self._services = services
        self.failures = failures

    @contextmanager
    def __call__(self) -> Iterator[SignInLogRepository]:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is locked (simulated)")
        with self._services.store.transaction(write=True) as unit:
            yield unit


def test_the_writer_survives_a_database_error(
    services: Services, tenant: Tenant, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The failed batch is logged and lost; the writer thread goes on and writes the next one."""
    log = SignInLog(services.store.transaction, FlakyWrites(services, 1), clock, timedelta(days=30), interval=0.02)
    lost, kept = entry(tenant, clock), entry(tenant, clock)
    log.record(lost)
    log.start()
    try:
        with caplog.at_level(logging.ERROR, logger="tenantry.signins"):
            deadline = time.monotonic() + 5
            while "writing 1 sign-in log entries failed" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.02)
        log.record(kept)
        deadline = time.monotonic() + 5
        while kept.id not in ids(log, tenant) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        log.stop()
    assert "writing 1 sign-in log entries failed" in caplog.text
    assert ids(log, tenant) == [kept.id]
