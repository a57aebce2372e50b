"""Credential records (Graph `passwordCredential` and `keyCredential`), never holding a secret in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PasswordCredential:
    """A client secret: only its keyed hash and its first three characters (`hint`) are kept."""

    key_id: str
    tenant_id: str
    application_id: str
    display_name: str
    hint: str
    secret_hash: bytes
    start: datetime
    end: datetime

    def is_active(self, now: datetime) -> bool:
        """Inside [start, end]."""
        return self.start <= now <= self.end


@dataclass(frozen=True, slots=True)
class KeyCredential:
    """A public certificate the app proves possession of in client assertions (RFC 7523)."""

    key_id: str
    tenant_id: str
    application_id: str
    display_name: str
    cert_der: bytes
    thumbprint_sha1: bytes
    thumbprint_sha256: bytes
    start: datetime
    end: datetime
    type: str = "AsymmetricX509Cert"
    usage: str = "Verify"

    def is_active(self, now: datetime) -> bool:
        """Inside [start, end]."""
        return self.start <= now <= self.end


@dataclass(frozen=True, slots=True)
class NewSecret:
    """The result of adding a secret: the only moment the clear value exists."""

    credential: PasswordCredential
    secret_text: str


@dataclass(frozen=True, slots=True)
class NewCertificate:
    """The result of `--create-cert`: the registered certificate, and its private key shown this once."""

    credential: KeyCredential
    private_key_pem: str
    certificate_pem: str

    @property
    def combined_pem(self) -> str:
        """Key then certificate in one PEM (azure-identity's `certificate_path`, az's output file)."""
        return self.private_key_pem + self.certificate_pem
