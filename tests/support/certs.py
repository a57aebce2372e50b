"""A factory for the client certificates apps register and sign client assertions with (RFC 7523)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A self-signed RSA certificate with its private key, in the forms Microsoft's clients take."""

    private_key_pem: str
    certificate_pem: str
    der: bytes

    @property
    def sha1_hex(self) -> str:
        """The SHA-1 thumbprint in hex, as the portal shows it and MSAL's `thumbprint` takes it."""
        return hashlib.sha1(self.der, usedforsecurity=False).hexdigest().upper()

    @property
    def x5t(self) -> str:
        """The `x5t` header value: base64url of the SHA-1 thumbprint (RFC 7515 §4.1.7)."""
        return b64url(hashlib.sha1(self.der, usedforsecurity=False).digest())

    @property
    def x5t_s256(self) -> str:
        """The `x5t#S256` header value: base64url of the SHA-256 thumbprint (RFC 7515 §4.1.8)."""
        return b64url(hashlib.sha256(self.der).digest())

    def pfx(self) -> bytes:
        """PKCS#12 without a passphrase: MSAL's `private_key_pfx_path` form."""
        key = serialization.load_pem_private_key(self.private_key_pem.encode("ascii"), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        cert = x509.load_der_x509_certificate(self.der)
        return pkcs12.serialize_key_and_certificates(None, key, cert, None, serialization.NoEncryption())

    @property
    def combined_pem(self) -> bytes:
        """Key and certificate in one PEM file, the shape azure-identity's `certificate_path` expects."""
        return (self.private_key_pem + self.certificate_pem).encode("ascii")


def make_client_certificate(
    common_name: str = "tenantry compat client",
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    subject: x509.Name | None = None,
) -> ClientCertificate:
    """A fresh 2048-bit RSA key and a self-signed certificate, valid from five minutes ago for 30 days by default;
    its subject is `common_name` alone unless a whole `subject` is given."""
    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = subject or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(minutes=5))
        .not_valid_after(not_after or now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return ClientCertificate(
        private_key_pem=key_pem,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        der=cert.public_bytes(serialization.Encoding.DER),
    )
