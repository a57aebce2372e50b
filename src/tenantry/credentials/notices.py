"""What an expiry warning says, per channel, as outbox rows (`WebhookDelivery`) written with the warning.

Both channels share the outbox so both are retried until delivered: a row's `payload["channel"]` is
`webhook` (its `body` is the JSON POSTed) or `email` (recipients, subject and text). The webhook's
`Idempotency-Key` is a UUIDv5 of tenant, keyId and horizon, so it is the same on every retry and on a
warning re-queued by hand: receivers de-duplicate on it. Nothing here carries a secret value; a secret
is named by its keyId, display name and `hint` (its first three characters, which Graph shows anyway).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tenantry.common.ids import new_guid
from tenantry.credentials.lifecycle import WebhookDelivery

if TYPE_CHECKING:
    from tenantry.credentials.expiry import ExpiringCredential

EVENT_TYPE = "credential.expiring"
WEBHOOK = "webhook"
EMAIL = "email"
_NAMESPACE = uuid.UUID("0b6f3c1e-6f55-4b0c-9d1a-3f1e5c2a7d10")


@dataclass(frozen=True, slots=True)
class Channels:
    """Which deliveries a scan queues (those configured when it runs), and the base URL links point to."""

    webhook: bool = False
    email: bool = False
    base_url: str | None = None


def idempotency_key(tenant_id: str, key_id: str, horizon_days: int) -> str:
    """Stable per (credential, horizon): the same on every delivery attempt."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant_id}/{key_id}/{horizon_days}"))


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def warning_body(credential: ExpiringCredential, horizon_days: int, now: datetime) -> dict[str, Any]:
    """The webhook's JSON document (Graph-style camelCase names)."""
    app = credential.app
    body: dict[str, Any] = {
        "id": idempotency_key(credential.tenant_id, credential.key_id, horizon_days),
        "type": EVENT_TYPE,
        "tenantId": credential.tenant_id,
        "horizonDays": horizon_days,
        "daysRemaining": credential.days_left,
        "occurredDateTime": _iso(now),
        "application": {"id": app.id, "appId": app.app_id, "displayName": app.display_name},
        "credential": {
            "keyId": credential.key_id,
            "type": credential.type,
            "displayName": credential.display_name,
            "endDateTime": _iso(credential.end),
        },
    }
    if credential.hint is not None:
        body["credential"]["hint"] = credential.hint
    return body


def webhook_delivery(
    credential: ExpiringCredential, horizon_days: int, now: datetime, base_url: str | None = None
) -> WebhookDelivery:
    """The outbox row of the webhook POST, due at once."""
    body = warning_body(credential, horizon_days, now)
    if base_url:
        body["tenantryUrl"] = base_url
    key = idempotency_key(credential.tenant_id, credential.key_id, horizon_days)
    return WebhookDelivery(new_guid(), credential.tenant_id, key, {"channel": WEBHOOK, "body": body}, now, now)


def _what(credential: ExpiringCredential) -> str:
    kind = "client secret" if credential.hint is not None else "certificate"
    name = f" '{credential.display_name}'" if credential.display_name else ""
    return f"{kind}{name} (keyId {credential.key_id})"


def email_text(credential: ExpiringCredential, horizon_days: int) -> tuple[str, str]:
    """Subject and plain-text body of the owners' e-mail."""
    app = credential.app
    days = credential.days_left
    when = f"in {days} day" + ("" if days == 1 else "s")
    subject = f"[Tenantry] A credential of '{app.display_name}' expires {when}"
    lines = [
        f"The {_what(credential)} of the application '{app.display_name}'",
        f"(appId {app.app_id}, tenant {credential.tenant_id}) expires {when}, on {_iso(credential.end)}.",
        "",
        "Rotate it without downtime: add a new credential, move the application to it, then delete the old one:",
        "",
        f"  tenantry app credential reset --id {app.app_id} --append --share-link",
        f"  tenantry app credential delete --id {app.app_id} --key-id {credential.key_id}",
        "",
        f"You receive this because you own the application ({horizon_days}-day warning; each is sent once).",
    ]
    return subject, "\n".join(lines) + "\n"


def email_delivery(
    credential: ExpiringCredential,
    horizon_days: int,
    now: datetime,
    recipients: tuple[str, ...],
    base_url: str | None = None,
) -> WebhookDelivery:
    """The outbox row of the owners' e-mail; its key differs from the webhook's (same table, same tenant)."""
    subject, text = email_text(credential, horizon_days)
    if base_url:
        text += f"\nTenantry: {base_url}\n"
    key = idempotency_key(credential.tenant_id, credential.key_id, horizon_days)
    payload = {"channel": EMAIL, "to": list(recipients), "subject": subject, "text": text, "messageId": key}
    return WebhookDelivery(new_guid(), credential.tenant_id, f"email:{key}", payload, now, now)
