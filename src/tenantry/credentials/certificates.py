"""Public certificates uploaded as PEM, DER or base64, and their thumbprints."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding


class CertificateFormatError(ValueError):
    """Input that is not an X.509 certificate we can use."""


@dataclass(frozen=True, slots=True)
class ParsedCertificate:
    """What Tenantry keeps of an uploaded certificate."""

    der: bytes
    not_before: datetime
    not_after: datetime
    subject: str

    @property
    def thumbprint_sha1(self) -> bytes:
        """SHA-1 of the DER bytes: the `x5t` MSAL and azure-identity send with RS256."""
        return hashlib.sha1(self.der, usedforsecurity=False).digest()

    @property
    def thumbprint_sha256(self) -> bytes:
        """SHA-256 of the DER bytes: the `x5t#S256` MSAL sends with PS256."""
        return hashlib.sha256(self.der).digest()


def _load(data: bytes) -> x509.Certificate:
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(stripped)
    try:
        # Raw DER is binary: stripping "whitespace" bytes from its ends would corrupt it.
        return x509.load_der_x509_certificate(data)
    except ValueError:
        return x509.load_der_x509_certificate(base64.b64decode(b"".join(stripped.split()), validate=True))


def parse_certificate(data: bytes) -> ParsedCertificate:
    """Parse PEM, DER or base64 DER; only RSA keys of at least 2048 bits are accepted."""
    try:
        cert = _load(data)
    except (ValueError, binascii.Error) as exc:
        raise CertificateFormatError("not a PEM, DER or base64-encoded X.509 certificate") from exc
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise CertificateFormatError("the certificate must carry an RSA key of at least 2048 bits")
    return ParsedCertificate(
        der=cert.public_bytes(Encoding.DER),
        not_before=cert.not_valid_before_utc.astimezone(UTC),
        not_after=cert.not_valid_after_utc.astimezone(UTC),
        subject=cert.subject.rfc4514_string(),
    )
