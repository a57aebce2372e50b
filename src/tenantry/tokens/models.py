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
