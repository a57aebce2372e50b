"""Signed webhook POSTs (the outbox worker's `webhook` channel).

The receiver authenticates a delivery by recomputing `X-Tenantry-Signature: sha256=<hex>`, the
HMAC-SHA256 of the raw request body under the shared secret (the scheme GitHub's `X-Hub-Signature-256`
uses), compared in constant time. `X-Tenantry-Timestamp` (Unix seconds of this attempt) lets it refuse
stale replays; `Idempotency-Key` (stable per credential and horizon) lets it drop duplicates, since
delivery is at least once. Redirects are not followed: a 3xx is a failed attempt, retried later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from tenantry import __version__
from tenantry.common.clock import Clock
from tenantry.credentials.lifecycle import WebhookDelivery

log = logging.getLogger("tenantry.credentials.webhooks")

SIGNATURE_HEADER = "X-Tenantry-Signature"
TIMESTAMP_HEADER = "X-Tenantry-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Tenantry-Event"
DEFAULT_TIMEOUT = 10.0
_MAX_ERROR_TEXT = 200


class DeliveryError(Exception):
    """One failed attempt (network error, timeout, non-2xx answer); the outbox retries later."""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where warnings are POSTed, and the shared secret that signs them (never logged)."""

    url: str
    secret: bytes = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT


def encode_body(body: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, key-sorted UTF-8 JSON (identical on every retry)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: bytes, body: bytes) -> str:
    """`sha256=` and the lower-case hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body).encode("ascii"), signature.encode("ascii", "replace"))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


class WebhookSender:
    """POSTs one outbox row; raises `DeliveryError` unless the receiver answers 2xx."""

    def __init__(self, target: WebhookTarget, clock: Clock) -> None:
        self._target = target
        self._clock = clock
        self._opener = urllib.request.build_opener(_NoRedirects())

    def headers(self, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
        """The headers of one attempt."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"Tenantry-Webhook/{__version__}",
            SIGNATURE_HEADER: sign(self._target.secret, body),
            TIMESTAMP_HEADER: str(int(self._clock.now().timestamp())),
            IDEMPOTENCY_HEADER: delivery.idempotency_key,
            EVENT_HEADER: str(delivery.payload.get("body", {}).get("type", "")),
        }

    def send(self, delivery: WebhookDelivery) -> None:
        """One attempt."""
        body = encode_body(delivery.payload["body"])
        request = urllib.request.Request(  # noqa: S310 - the operator configures an http(s) URL (validated)
            self._target.url, data=body, headers=self.headers(delivery, body), method="POST"
        )
        try:
            with self._opener.open(request, timeout=self._target.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(f"{type(exc).__name__}: {str(reason)[:_MAX_ERROR_TEXT]}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")
        log.debug("webhook %s delivered (HTTP %d)", delivery.id, status)
