"""Credential status wording and certificate parsing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tenantry.credentials.certificates import CertificateFormatError, parse_certificate
from tenantry.credentials.status import credential_status

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (NOW - timedelta(seconds=1), "expired"),
        (NOW + timedelta(hours=20), "expiring in 1 day"),
        (NOW + timedelta(days=7), "expiring in 7 days"),
        (NOW + timedelta(days=30), "expiring in 30 days"),
        (NOW + timedelta(days=31), "valid"),
    ],
)
def test_status(end: datetime, expected: str) -> None:
    """Valid, expiring in N days (within 30 days), or expired, as the admin should see it."""
    assert credential_status(NOW - timedelta(days=1), end, NOW) == expected


def test_not_yet_valid() -> None:
    """A credential whose start is in the future says so."""
    assert credential_status(NOW + timedelta(days=1), NOW + timedelta(days=9), NOW) == "not yet valid"


def _cert(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


def test_pem_der_and_base64_parse_to_the_same_certificate() -> None:
    """Upload formats of the portal and Graph: PEM, raw DER, base64 DER."""
    cert = _cert(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    der = cert.public_bytes(serialization.Encoding.DER)
    parsed = [
        parse_certificate(cert.public_bytes(serialization.Encoding.PEM)),
        parse_certificate(der),
        parse_certificate(base64.b64encode(der)),
    ]
    assert {p.der for p in parsed} == {der}
    assert parsed[0].not_after == NOW + timedelta(days=365)
    assert parsed[0].thumbprint_sha1 == cert.fingerprint(hashes.SHA1())


def test_non_rsa_and_garbage_are_refused() -> None:
    """Client assertions are RS256/PS256, so only RSA certificates of ≥ 2048 bits are useful."""
    with pytest.raises(CertificateFormatError):
        parse_certificate(_cert(ec.generate_private_key(ec.SECP256R1())).public_bytes(serialization.Encoding.PEM))
    with pytest.raises(CertificateFormatError):
        parse_certificate(b"not a certificate")
