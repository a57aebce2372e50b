"""Records of the credential lifecycle: tenant lifetime policy, expiry warnings sent, webhook
deliveries waiting or done, and one-time share links for new secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class CredentialPolicy:
    """A tenant's app management policy (Graph `passwordCredentialConfiguration` `passwordLifetime`)."""

    tenant_id: str
    max_password_lifetime: timedelta | None = None


@dataclass(frozen=True, slots=True)
class ExpiryWarning:
    """One warning sent for one credential at one horizon (each horizon warns once)."""

    tenant_id: str
    key_id: str
    horizon_days: int
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """An outgoing webhook in the outbox: retried with back-off until delivered (at least once)."""

    id: str
    tenant_id: str
    idempotency_key: str
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ShareLink:
    """A link that reveals a new secret exactly once; the secret is sealed with the master key."""

    token_hash: bytes
    tenant_id: str
    application_id: str
    key_id: str
    sealed_secret: bytes
    created_at: datetime
    expires_at: datetime
    revealed_at: datetime | None = None
