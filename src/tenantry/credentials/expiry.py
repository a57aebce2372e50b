"""Expiry warnings: find secrets and certificates ending soon, and warn once per horizon.

Horizons are days before the end (default 30, 7 and 1). A credential is warned at the *narrowest*
horizon it has entered: one first seen with 5 days left gets the 7-day warning only, since a 30-day
warning would now say something false. Because time only moves forward, a wider horizon never becomes
the applicable one again, so each (credential, horizon) warns at most once.

`record_expiry_warning` is the once-only gate: its row, the audit record and the outbox entries
(webhook, e-mail) commit in one transaction, so a restart, a second server process or a crash between
the scan and the delivery can neither skip nor repeat a warning. Delivery is the outbox worker's job.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tenantry.apps.models import Application
from tenantry.apps.repository import ApplicationReader, OwnerRepository
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor, Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.credentials.audit_trail import CERTIFICATE, PASSWORD
from tenantry.credentials.lifecycle import ExpiryWarning
from tenantry.credentials.notices import Channels, email_delivery, webhook_delivery
from tenantry.credentials.repository import CredentialReader, LifecycleRepository
from tenantry.directory.repository import TenantRepository, UserRepository

log = logging.getLogger("tenantry.credentials.expiry")

DEFAULT_HORIZONS = (30, 7, 1)
SCHEDULER = Actor("system", "tenantry-expiry-scanner", "Tenantry credential expiry scanner")


class ExpiryUnit(
    TenantRepository,
    ApplicationReader,
    CredentialReader,
    OwnerRepository,
    UserRepository,
    LifecycleRepository,
    AuditRepository,
    Protocol,
):
    """The repositories a scan reads and writes."""


@dataclass(frozen=True, slots=True)
class ExpiringCredential:
    """A secret or certificate that has not expired yet but ends within the window asked about."""

    app: Application
    key_id: str
    type: str
    display_name: str
    end: datetime
    remaining: timedelta
    hint: str | None = None

    @property
    def tenant_id(self) -> str:
        """The app's (and so the credential's) tenant."""
        return self.app.tenant_id

    @property
    def days_left(self) -> int:
        """Whole days left, rounded up like the credential status ("expiring in 7 days")."""
        return max(1, math.ceil(self.remaining.total_seconds() / 86400))


@dataclass(frozen=True, slots=True)
class SentWarning:
    """A warning a scan recorded (and queued for delivery)."""

    credential: ExpiringCredential
    horizon_days: int
    owners: tuple[str, ...]


def applicable_horizon(remaining: timedelta, horizons: Iterable[int]) -> int | None:
    """The narrowest horizon the credential is inside, or None when it is outside them all."""
    inside = [h for h in horizons if remaining <= timedelta(days=h)]
    return min(inside) if inside else None


def expiring_in(unit: ExpiryUnit, app: Application, now: datetime, within: timedelta) -> list[ExpiringCredential]:
    """The app's credentials with `now < end <= now + within`, soonest first."""
    found = [
        ExpiringCredential(app, s.key_id, PASSWORD, s.display_name, s.end, s.end - now, s.hint)
        for s in unit.list_password_credentials(app.tenant_id, app.id)
    ]
    found += [
        ExpiringCredential(app, c.key_id, CERTIFICATE, c.display_name, c.end, c.end - now)
        for c in unit.list_key_credentials(app.tenant_id, app.id)
    ]
    return sorted((c for c in found if timedelta(0) < c.remaining <= within), key=lambda c: c.end)


def owner_addresses(unit: ExpiryUnit, app: Application) -> tuple[str, ...]:
    """Where the app's owners get mail: each user owner's `mail`, else their UPN (SP owners get none)."""
    addresses: list[str] = []
    for owner_id, owner_type in unit.list_owners(app.tenant_id, app.id):
        user = unit.find_user(app.tenant_id, owner_id) if owner_type == "User" else None
        if user is not None and user.account_enabled:
            address = user.mail or user.user_principal_name
            if address not in addresses:
                addresses.append(address)
    return tuple(addresses)


class ExpiryScanner:
    """Lists expiring credentials and records (once) the warnings that are due."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[ExpiryUnit]],
        clock: Clock,
        horizons: Sequence[int] = DEFAULT_HORIZONS,
        channels: Channels | None = None,
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._horizons = tuple(sorted(set(horizons), reverse=True))
        self._channels = channels or Channels()

    @property
    def horizons(self) -> tuple[int, ...]:
        """Days before the end at which warnings go out, widest first."""
        return self._horizons

    def list_expiring(self, within: timedelta, tenant_id: str | None = None) -> list[ExpiringCredential]:
        """Every unexpired credential ending within `within` (of one tenant, or all), soonest first."""
        now = self._clock.now()
        with self._transaction() as unit:
            tenants = [tenant_id] if tenant_id else [t.id for t in unit.list_tenants()]
            found = [c for t in tenants for a in unit.list_applications(t) for c in expiring_in(unit, a, now, within)]
        return sorted(found, key=lambda c: c.end)

    def scan(self) -> list[SentWarning]:
        """Record every warning due now: each in the same transaction as its audit record and outbox rows."""
        if not self._horizons:
            return []
        now = self._clock.now()
        window = timedelta(days=self._horizons[0])
        with self._transaction() as unit:
            tenant_ids = [t.id for t in unit.list_tenants()]
        sent: list[SentWarning] = []
        for tenant_id in tenant_ids:
            with self._transaction() as unit:
                for app in unit.list_applications(tenant_id):
                    for credential in expiring_in(unit, app, now, window):
                        warning = self._warn(unit, credential, now)
                        if warning is not None:
                            sent.append(warning)
        if sent:
            log.info("credential expiry scan: %d warning(s) recorded", len(sent))
        return sent

    def _warn(self, unit: ExpiryUnit, credential: ExpiringCredential, now: datetime) -> SentWarning | None:
        horizon = applicable_horizon(credential.remaining, self._horizons)
        if horizon is None:
            return None
        if not unit.record_expiry_warning(ExpiryWarning(credential.tenant_id, credential.key_id, horizon, now)):
            return None
        owners = owner_addresses(unit, credential.app)
        ctx = AuditContext(SCHEDULER, now)
        target = Target(
            "Application",
            credential.app.id,
            credential.app.display_name,
            (("KeyExpiry", "", f"[KeyIdentifier={credential.key_id},HorizonDays={horizon}]"),),
        )
        record(unit, ctx, credential.tenant_id, AuditActivity.CREDENTIAL_EXPIRY_WARNING, (target,), "Other")
        if self._channels.webhook:
            unit.enqueue_webhook(webhook_delivery(credential, horizon, now, self._channels.base_url))
        if self._channels.email and owners:
            unit.enqueue_webhook(email_delivery(credential, horizon, now, owners, self._channels.base_url))
        return SentWarning(credential, horizon, owners)
