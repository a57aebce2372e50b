"""Public certificates uploaded as PEM, DER or base64, and their thumbprints."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

CREATED_KEY_BITS = 2048


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


@dataclass(frozen=True, slots=True)
class SelfSignedCertificate:
    """A certificate Tenantry made, with its private key: handed out once, never stored."""

    private_key_pem: str
    certificate_pem: str

    @property
    def combined_pem(self) -> str:
        """Key then certificate in one PEM, the file `az ad sp create-for-rbac --create-cert` writes."""
        return self.private_key_pem + self.certificate_pem


def create_self_signed(common_name: str, not_before: datetime, not_after: datetime) -> SelfSignedCertificate:
    """A fresh RSA-2048 key and a self-signed SHA-256 certificate `CN=<common_name>` for that window.

    What `az ... --create-cert` does: the private key leaves Tenantry exactly once, in this return value.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=CREATED_KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "tenantry")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")
    return SelfSignedCertificate(key_pem, cert.public_bytes(Encoding.PEM).decode("ascii"))
