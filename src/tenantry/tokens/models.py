"""Signing-key records as stored: the private key is sealed with the master key, never kept in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoredSigningKey:
    """One RSA signing key: published from `created_at`, signs from `activates_at`, gone at `retires_at`."""

    kid: str
    sealed_private_key: bytes
    cert_der: bytes
    created_at: datetime
    activates_at: datetime
    retires_at: datetime | None = None

    def is_published(self, now: datetime) -> bool:
        """Published in JWKS until retired, including before it signs (rotation with overlap)."""
        return self.retires_at is None or now < self.retires_at

    def can_sign(self, now: datetime) -> bool:
        """Signs once activated and while not retired."""
        return self.activates_at <= now and self.is_published(now)


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """A code issued by /authorize: single use, about ten minutes (RFC 6749 §4.1.2, §10.5)."""

    code_hash: bytes
    family_id: str
    tenant_id: str
    client_id: str
    user_id: str
    session_id: str | None
    redirect_uri: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    auth_time: datetime
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    spa: bool = False
    redeemed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """An opaque refresh token, stored hashed; every token of one sign-in shares a `family_id`.

    Non-SPA tokens expire after 90 days of inactivity (each use issues a new one, sliding the window);
    SPA tokens expire 24 hours after the sign-in, whatever happens (entra-reference §2.5).
    """

    token_hash: bytes
    family_id: str
    tenant_id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    auth_time: datetime
    spa: bool = False
    session_id: str | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """A pending device authorization (RFC 8628); `status` moves pending → approved|declined → redeemed."""

    device_code_hash: bytes
    user_code: str
    tenant_segment: str
    client_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    interval: int
    status: str = "pending"
    last_polled_at: datetime | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    auth_time: datetime | None = None
