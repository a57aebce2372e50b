"""Storage interfaces for credentials; `store/sql/credentials.py` implements them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.credentials.lifecycle import CredentialPolicy, ExpiryWarning, ShareLink, WebhookDelivery
from tenantry.credentials.models import KeyCredential, PasswordCredential


class CredentialReader(Protocol):
    """Read access to an application's credentials."""

    def list_password_credentials(self, tenant_id: str, application_id: str) -> list[PasswordCredential]:
        """Every secret of the application (object id), expired ones included."""
        ...

    def list_key_credentials(self, tenant_id: str, application_id: str) -> list[KeyCredential]:
        """Every certificate of the application (object id), expired ones included."""
        ...


class CredentialRepository(CredentialReader, Protocol):
    """Read and write access to credentials."""

    def add_password_credential(self, credential: PasswordCredential) -> None:
        """Insert a secret (hash and hint only)."""
        ...

    def remove_password_credential(self, tenant_id: str, application_id: str, key_id: str) -> bool:
        """Delete a secret; False when there was none with that keyId."""
        ...

    def add_key_credential(self, credential: KeyCredential) -> None:
        """Insert a certificate."""
        ...

    def remove_key_credential(self, tenant_id: str, application_id: str, key_id: str) -> bool:
        """Delete a certificate; False when there was none with that keyId."""
        ...


class AssertionReplayRepository(Protocol):
    """Remembers client-assertion `jti`s until they expire (RFC 7523 §3, item 7)."""

    def remember_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        """Record the jti until `expires_at`; False when this client already used it (a replay)."""
        ...


class LifecycleRepository(Protocol):
    """Policies, expiry warnings, the webhook outbox and share links."""

    def find_credential_policy(self, tenant_id: str) -> CredentialPolicy | None:
        """The tenant's policy, if it set one."""
        ...

    def save_credential_policy(self, policy: CredentialPolicy) -> None:
        """Insert or replace the tenant's policy."""
        ...

    def record_expiry_warning(self, warning: ExpiryWarning) -> bool:
        """Record a warning; False when that credential was already warned at that horizon."""
        ...

    def list_expiry_warnings(self, tenant_id: str, key_id: str) -> list[ExpiryWarning]:
        """Warnings sent for one credential."""
        ...

    def enqueue_webhook(self, delivery: WebhookDelivery) -> bool:
        """Add to the outbox; False when a delivery with that idempotency key exists."""
        ...

    def due_webhooks(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Undelivered deliveries whose next attempt is due, oldest first."""
        ...

    def update_webhook(self, delivery: WebhookDelivery) -> None:
        """Store attempts, next attempt, delivery time and last error."""
        ...

    def add_share_link(self, link: ShareLink) -> None:
        """Insert a share link."""
        ...

    def find_share_link(self, token_hash: bytes) -> ShareLink | None:
        """By the hash of the link's token."""
        ...

    def reveal_share_link(self, token_hash: bytes, when: datetime) -> bool:
        """Mark revealed and erase the sealed value, atomically; False when it already was (the second view
        gets 410). The caller decrypts the value it read before this call."""
        ...
