"""Storage interface for signing keys; `store/sql/tokens.py` implements it.

Signing keys are instance-wide, like Entra's shared keys, so they are the one table without a tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.tokens.models import AuthorizationCode, DeviceCode, RefreshToken, StoredSigningKey


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


class TokenRecordRepository(Protocol):
    """Authorization codes, refresh tokens and device codes, all found by a hash of their value."""

    def add_authorization_code(self, code: AuthorizationCode) -> None:
        """Insert a new code."""
        ...

    def find_authorization_code(self, code_hash: bytes) -> AuthorizationCode | None:
        """The code with this hash, redeemed or not."""
        ...

    def redeem_authorization_code(self, code_hash: bytes, when: datetime) -> bool:
        """Mark redeemed atomically; False when it already was (a replay)."""
        ...

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Insert a new refresh token."""
        ...

    def find_refresh_token(self, token_hash: bytes) -> RefreshToken | None:
        """The refresh token with this hash."""
        ...

    def revoke_refresh_family(self, family_id: str, when: datetime) -> None:
        """Revoke every refresh token of one sign-in (code replay, sign-out)."""
        ...

    def add_device_code(self, code: DeviceCode) -> None:
        """Insert a new device authorization."""
        ...

    def find_device_code(self, device_code_hash: bytes) -> DeviceCode | None:
        """By the device code's hash."""
        ...

    def find_device_code_by_user_code(self, user_code: str) -> DeviceCode | None:
        """By the code the user types."""
        ...

    def update_device_code(self, code: DeviceCode) -> None:
        """Store status, polling time and approving user."""
        ...

    def update_device_code_if(self, code: DeviceCode, expected_status: str) -> bool:
        """`update_device_code` as a compare-and-set: only while the stored status is still
        `expected_status`. Of two requests that both read the code in that status, exactly one gets True."""
        ...
