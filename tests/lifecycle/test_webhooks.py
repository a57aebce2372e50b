"""Expiry warnings delivered by webhook to a real HTTP receiver on 127.0.0.1: HMAC-SHA256 signature over the
raw body, a timestamp, an idempotency key stable across retries, and retries with exponential back-off
after a failure (at least once) - from the outbox, whether the CLI or the server's scheduler runs it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import warnings
from datetime import timedelta

import pytest

from tenantry.app import Services, create_app, credential_lifecycle
from tenantry.apps.models import Application
from tenantry.common.clock import FixedClock
from tenantry.credentials.outbox import backoff
from tenantry.credentials.webhooks import verify

from .conftest import WEBHOOK_SECRET, ServicesFactory, WebhookReceiver

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient


@pytest.fixture
def hooked(make_services: ServicesFactory, receiver: WebhookReceiver) -> Services:
    """Services whose webhook points at the receiver."""
    return make_services(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET)


def test_backoff_doubles_up_to_an_hour() -> None:
    """30 s after the first failure, then 1, 2, 4 … minutes, never more than an hour."""
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert backoff(50) == timedelta(hours=1)


def test_delivery_is_signed_retried_after_500_and_idempotent(
    hooked: Services, receiver: WebhookReceiver, clock: FixedClock, app: Application
) -> None:
    """The receiver answers 500 once: the delivery is retried only after the back-off, with the same body and
    idempotency key and a valid signature each time, then marked delivered and never sent again."""
    new = hooked.credentials.add_secret(app, "nightly", end=clock.now() + timedelta(days=5))
    jobs = credential_lifecycle(hooked)
    assert [w.horizon_days for w in jobs.scanner.scan()] == [7]
    receiver.statuses.append(500)
    assert (jobs.outbox.deliver_due().failed, len(receiver.received)) == (1, 1)
    assert jobs.outbox.deliver_due().failed == 0, "not due again before the back-off"
    clock.advance(29)
    jobs.outbox.deliver_due()
    assert len(receiver.received) == 1
    clock.advance(1)
    assert jobs.outbox.deliver_due().delivered == 1
    assert jobs.outbox.deliver_due().delivered == 0
    first, second = receiver.received
    for attempt in (first, second):
        assert attempt.headers["content-type"] == "application/json; charset=utf-8"
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), attempt.body, hashlib.sha256).hexdigest()
        assert attempt.headers["x-tenantry-signature"] == expected
        assert verify(WEBHOOK_SECRET.encode(), attempt.body, attempt.headers["x-tenantry-signature"])
    assert first.body == second.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert int(second.headers["x-tenantry-timestamp"]) - int(first.headers["x-tenantry-timestamp"]) == 30
    body = json.loads(first.body)
    assert body["type"] == "credential.expiring"
    assert body["id"] == first.headers["idempotency-key"]
    assert (body["horizonDays"], body["daysRemaining"]) == (7, 5)
    assert body["application"] == {"id": app.id, "appId": app.app_id, "displayName": app.display_name}
    assert body["credential"]["keyId"] == new.credential.key_id
    assert body["credential"]["hint"] == new.secret_text[:3]
    assert new.secret_text.encode() not in first.body


def test_each_horizon_has_its_own_key_and_a_restart_resends_nothing(
    make_services: ServicesFactory, hooked: Services, receiver: WebhookReceiver, clock: FixedClock, app: Application
) -> None:
    """The 7-day and 1-day warnings of one secret are two deliveries with distinct idempotency keys; services
    built again over the same database (a restart) neither re-queue nor re-send them."""
    hooked.credentials.add_secret(app, end=clock.now() + timedelta(days=7))
    jobs = credential_lifecycle(hooked)
    jobs.scanner.scan()
    jobs.outbox.deliver_due()
    clock.advance(timedelta(days=6).total_seconds())
    jobs.scanner.scan()
    jobs.outbox.deliver_due()
    restarted = credential_lifecycle(make_services(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET))
    assert restarted.scanner.scan() == []
    assert restarted.outbox.deliver_due().delivered == 0
    keys = [r.headers["idempotency-key"] for r in receiver.received]
    assert len(keys) == 2
    assert len(set(keys)) == 2
    assert [json.loads(r.body)["horizonDays"] for r in receiver.received] == [7, 1]


def test_unreachable_receiver_is_retried_until_delivered(
    make_services: ServicesFactory, receiver: WebhookReceiver, clock: FixedClock, app: Application
) -> None:
    """A receiver that refuses connections: each attempt fails and waits twice as long; once the URL works
    (same outbox row, after a restart with the right URL) the warning arrives - at least once."""
    dead = make_services(webhook_url="http://127.0.0.1:9/unreachable", webhook_secret=WEBHOOK_SECRET)
    dead.credentials.add_secret(app, end=clock.now() + timedelta(hours=10))
    jobs = credential_lifecycle(dead)
    jobs.scanner.scan()
    for wait in (0, 30, 60):
        clock.advance(wait)
        assert jobs.outbox.deliver_due().failed == 1
    fixed = credential_lifecycle(make_services(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET))
    assert fixed.outbox.deliver_due().delivered == 0, "still waiting for the back-off"
    clock.advance(120)
    assert fixed.outbox.deliver_due().delivered == 1
    assert json.loads(receiver.received[0].body)["horizonDays"] == 1


def test_the_server_scans_and_delivers_in_the_background(
    make_services: ServicesFactory, receiver: WebhookReceiver, clock: FixedClock, app: Application
) -> None:
    """`create_app`'s lifespan starts the scheduler: the scan runs after its interval (here 1 s) and the outbox
    worker delivers within its poll interval, without any request; later scans warn nothing new."""
    services = make_services(
        webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET, outbox_poll_seconds=1, expiry_scan_seconds=1
    )
    services.credentials.add_secret(app, end=clock.now() + timedelta(days=29))
    with TestClient(create_app(services, public_url="https://localhost:8443"), base_url="https://localhost:8443"):
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # another scan and poll: nothing more is sent
    assert len(receiver.received) == 1
    assert json.loads(receiver.received[0].body)["horizonDays"] == 30
    assert json.loads(receiver.received[0].body)["tenantryUrl"] == "https://localhost:8443", "the public URL"
