"""The outbox worker: delivers queued webhooks and e-mails, retrying with exponential back-off.

Rows are written in the same transaction as the warning they announce (transactional outbox), and a
row is marked delivered only after the receiver accepted it, so delivery is *at least once*: a crash
after sending and before marking re-sends, which receivers absorb through the idempotency key.
Before sending, a batch is *claimed* by moving its next attempt one lease ahead, so a second server
process polling the same database does not pick the same rows in the meantime. No transaction is held
open while talking to the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Protocol

from tenantry.common.clock import Clock
from tenantry.credentials.lifecycle import WebhookDelivery
from tenantry.credentials.notices import EMAIL, WEBHOOK
from tenantry.credentials.repository import LifecycleRepository
from tenantry.credentials.webhooks import DeliveryError

log = logging.getLogger("tenantry.credentials.outbox")

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(minutes=2)
BATCH = 20


class Sender(Protocol):
    """One channel: `send` returns on success and raises `DeliveryError` otherwise."""

    def send(self, delivery: WebhookDelivery) -> None:
        """Make one delivery attempt."""
        ...


def backoff(attempts: int, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP) -> timedelta:
    """Wait before attempt `attempts + 1`: base × 2^(attempts − 1), at most `cap` (30 s, 1 min, 2 min … 1 h)."""
    if attempts < 1:
        return timedelta(0)
    delay: timedelta = base * (2 ** min(attempts - 1, 20))
    return min(delay, cap)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass did."""

    delivered: int = 0
    failed: int = 0


class OutboxWorker:
    """Delivers due outbox rows through the configured channels."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[LifecycleRepository]],
        clock: Clock,
        *,
        webhook: Sender | None = None,
        email: Sender | None = None,
        base: timedelta = BACKOFF_BASE,
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._senders: dict[str, Sender | None] = {WEBHOOK: webhook, EMAIL: email}
        self._base = base

    def _claim(self) -> list[WebhookDelivery]:
        now = self._clock.now()
        with self._transaction() as unit:
            due = unit.due_webhooks(now, BATCH)
            for delivery in due:
                unit.update_webhook(replace(delivery, next_attempt_at=now + LEASE))
        return due

    def _attempt(self, delivery: WebhookDelivery) -> str | None:
        """None when delivered, else why not."""
        channel = str(delivery.payload.get("channel", WEBHOOK))
        sender = self._senders.get(channel)
        if sender is None:
            return f"the {channel} channel is not configured"
        try:
            sender.send(delivery)
        except DeliveryError as exc:
            return str(exc)
        return None

    def deliver_due(self) -> DeliveryReport:
        """One pass over the rows due now; each attempt's outcome is stored at once."""
        report = DeliveryReport()
        for delivery in self._claim():
            error = self._attempt(delivery)
            attempts = delivery.attempts + 1
            now = self._clock.now()
            if error is None:
                done = replace(delivery, attempts=attempts, delivered_at=now, next_attempt_at=now, last_error=None)
                report = replace(report, delivered=report.delivered + 1)
            else:
                retry_at = now + backoff(attempts, self._base)
                done = replace(delivery, attempts=attempts, next_attempt_at=retry_at, last_error=error)
                report = replace(report, failed=report.failed + 1)
                log.warning(
                    "delivery %s attempt %d failed (%s); next attempt at %s", delivery.id, attempts, error, retry_at
                )
            with self._transaction() as unit:
                unit.update_webhook(done)
        return report
