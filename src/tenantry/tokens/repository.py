"""Storage interface for signing keys; `store/sql/tokens.py` implements it.

Signing keys are instance-wide, like Entra's shared keys, so they are the one table without a tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.tokens.models import StoredSigningKey


class SigningKeyRepository(Protocol):
    """All signing keys, past and present."""

    def list_signing_keys(self) -> list[StoredSigningKey]:
        """Every stored key, oldest first."""
        ...

    def add_signing_key(self, key: StoredSigningKey) -> None:
        """Insert a new key."""
        ...

    def retire_signing_key(self, kid: str, retires_at: datetime) -> None:
        """Schedule the end of a key's publication."""
        ...
