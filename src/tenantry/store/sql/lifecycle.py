"""Credential lifecycle records in SQL: policies, expiry warnings, the webhook outbox, share links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from tenantry.common.clock import as_utc
from tenantry.credentials.lifecycle import CredentialPolicy, ExpiryWarning, ShareLink, WebhookDelivery
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import credential_policies, expiry_warnings, share_links, webhook_deliveries


def _opt(value: Any) -> datetime | None:
    return as_utc(value) if value is not None else None


def _delivery(row: Row[Any]) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        tenant_id=row.tenant_id,
        idempotency_key=row.idempotency_key,
        payload=dict(row.payload),
        created_at=as_utc(row.created_at),
        next_attempt_at=as_utc(row.next_attempt_at),
        attempts=row.attempts,
        delivered_at=_opt(row.delivered_at),
        last_error=row.last_error,
    )


def _link(row: Row[Any]) -> ShareLink:
    return ShareLink(
        token_hash=bytes(row.token_hash),
        tenant_id=row.tenant_id,
        application_id=row.application_id,
        key_id=row.key_id,
        sealed_secret=bytes(row.sealed_secret),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revealed_at=_opt(row.revealed_at),
    )


class SqlLifecycle(SqlBase):
    """Implements `LifecycleRepository`."""

    def find_credential_policy(self, tenant_id: str) -> CredentialPolicy | None:
        """The tenant's policy, if it set one."""
        t = credential_policies
        row = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id)).first()
        if row is None:
            return None
        seconds = row.max_password_lifetime_seconds
        return CredentialPolicy(tenant_id, timedelta(seconds=seconds) if seconds is not None else None)

    def save_credential_policy(self, policy: CredentialPolicy) -> None:
        """Upsert by tenant; the lifetime is kept in whole seconds."""
        t = credential_policies
        lifetime = policy.max_password_lifetime
        seconds = int(lifetime.total_seconds()) if lifetime is not None else None
        if self._conn.execute(select(t.c.tenant_id).where(t.c.tenant_id == policy.tenant_id)).first():
            self._conn.execute(
                update(t).where(t.c.tenant_id == policy.tenant_id).values(max_password_lifetime_seconds=seconds)
            )
            return
        self._conn.execute(insert(t).values(tenant_id=policy.tenant_id, max_password_lifetime_seconds=seconds))

    def record_expiry_warning(self, warning: ExpiryWarning) -> bool:
        """Insert; a warning already recorded for (tenant, credential, horizon) makes this False."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(expiry_warnings).values(
                        tenant_id=warning.tenant_id,
                        key_id=warning.key_id,
                        horizon_days=warning.horizon_days,
                        sent_at=warning.sent_at,
                    )
                )
        except IntegrityError:
            t = expiry_warnings
            sent = self._conn.execute(
                select(t.c.key_id).where(
                    t.c.tenant_id == warning.tenant_id,
                    t.c.key_id == warning.key_id,
                    t.c.horizon_days == warning.horizon_days,
                )
            ).first()
            if sent is None:
                raise  # not a duplicate (e.g. an unknown tenant)
            return False
        return True

    def list_expiry_warnings(self, tenant_id: str, key_id: str) -> list[ExpiryWarning]:
        """Warnings sent for one credential, earliest first."""
        t = expiry_warnings
        rows = self._conn.execute(
            select(t)
            .where(t.c.tenant_id == tenant_id, t.c.key_id == key_id)
            .order_by(t.c.sent_at, t.c.horizon_days.desc())
        )
        return [ExpiryWarning(r.tenant_id, r.key_id, r.horizon_days, as_utc(r.sent_at)) for r in rows]

    def enqueue_webhook(self, delivery: WebhookDelivery) -> bool:
        """Insert; an idempotency key the tenant already used makes this False."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(webhook_deliveries).values(
                        id=delivery.id,
                        tenant_id=delivery.tenant_id,
                        idempotency_key=delivery.idempotency_key,
                        payload=delivery.payload,
                        created_at=delivery.created_at,
                        next_attempt_at=delivery.next_attempt_at,
                        attempts=delivery.attempts,
                        delivered_at=delivery.delivered_at,
                        last_error=delivery.last_error,
                    )
                )
        except IntegrityError:
            t = webhook_deliveries
            queued = self._conn.execute(
                select(t.c.id).where(
                    t.c.tenant_id == delivery.tenant_id, t.c.idempotency_key == delivery.idempotency_key
                )
            ).first()
            if queued is None:
                raise  # not a duplicate key (e.g. an unknown tenant, or a delivery id already used)
            return False
        return True

    def due_webhooks(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Undelivered deliveries (every tenant's: the outbox worker is instance-wide) due by `now`, oldest first."""
        t = webhook_deliveries
        rows = self._conn.execute(
            select(t)
            .where(t.c.delivered_at.is_(None), t.c.next_attempt_at <= now)
            .order_by(t.c.created_at, t.c.id)
            .limit(limit)
        )
        return [_delivery(r) for r in rows]

    def update_webhook(self, delivery: WebhookDelivery) -> None:
        """Store the delivery's progress."""
        t = webhook_deliveries
        self._conn.execute(
            update(t)
            .where(t.c.id == delivery.id, t.c.tenant_id == delivery.tenant_id)
            .values(
                attempts=delivery.attempts,
                next_attempt_at=delivery.next_attempt_at,
                delivered_at=delivery.delivered_at,
                last_error=delivery.last_error,
            )
        )

    def add_share_link(self, link: ShareLink) -> None:
        """Insert."""
        self._conn.execute(
            insert(share_links).values(
                token_hash=link.token_hash,
                tenant_id=link.tenant_id,
                application_id=link.application_id,
                key_id=link.key_id,
                sealed_secret=link.sealed_secret,
                created_at=link.created_at,
                expires_at=link.expires_at,
                revealed_at=link.revealed_at,
            )
        )

    def find_share_link(self, token_hash: bytes) -> ShareLink | None:
        """By the token's hash."""
        row = self._conn.execute(select(share_links).where(share_links.c.token_hash == token_hash)).first()
        return _link(row) if row else None

    def reveal_share_link(self, token_hash: bytes, when: datetime) -> bool:
        """Compare-and-set on `revealed_at IS NULL`: exactly one concurrent reveal wins. The same UPDATE
        erases the sealed value: once shown, the secret is nowhere in storage, not even encrypted."""
        t = share_links
        result = self._conn.execute(
            update(t)
            .where(t.c.token_hash == token_hash, t.c.revealed_at.is_(None))
            .values(revealed_at=when, sealed_secret=b"")
        )
        return result.rowcount == 1
