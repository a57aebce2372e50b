"""Storage interfaces for credentials; `store/sql/credentials.py` implements them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

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
