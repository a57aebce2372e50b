"""HTTPS by default: a local CA and a server certificate for localhost, made on first start.

Microsoft's clients accept only https authorities (msal-compat §1), so a development server needs a
certificate they can be told to trust: point `REQUESTS_CA_BUNDLE` / `NODE_EXTRA_CA_CERTS` at the CA.

Processes started together (`tenantry serve` and `tenantry dev-cert --ca-path`) must agree on one CA, or a
client would be told to trust a CA that did not sign the server's certificate: check-and-create runs under
a lock file of our own in `tls/`, and every file is replaced atomically (temp file + rename), so a reader
never sees half a PEM. The directory is 0700 and the private keys 0600; the certificates are public (0644).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tenantry.common.private_files import PRIVATE_FILE, directory_lock, ensure_private_directory, replace_file

_RENEW_BEFORE = timedelta(days=30)
_PUBLIC_FILE = 0o644
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Where the development PKI lives inside the data directory."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """The CA bundle clients must trust."""
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        """The CA's private key (0600)."""
        return self.directory / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        """The server certificate chain."""
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        """The server's private key (0600)."""
        return self.directory / "server-key.pem"


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _make_ca(files: TlsFiles) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenantry local development CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    replace_file(files.ca_key, _pem_key(key), PRIVATE_FILE)
    replace_file(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM), _PUBLIC_FILE)


def _san(hosts: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _make_server(files: TlsFiles, hosts: tuple[str, ...]) -> None:
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=397))
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    replace_file(files.server_key, _pem_key(key), PRIVATE_FILE)
    replace_file(files.server_cert, cert.public_bytes(serialization.Encoding.PEM), _PUBLIC_FILE)


def _needs_server_cert(files: TlsFiles, hosts: tuple[str, ...]) -> bool:
    if not files.server_cert.exists() or not files.server_key.exists():
        return True
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    if cert.not_valid_after_utc - datetime.now(UTC) < _RENEW_BEFORE:
        return True
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    present = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    present |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    return not {str(ipaddress.ip_address(h)) if _is_ip(h) else h for h in hosts} <= present


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ensure_dev_certificates(home: Path, extra_hosts: tuple[str, ...] = ()) -> TlsFiles:
    """Create the CA once, and a server certificate whenever it is missing, near expiry, lacks a host or
    was signed by another CA; one process at a time, so that concurrent starters agree on one CA."""
    files = TlsFiles(home / "tls")
    ensure_private_directory(home)
    ensure_private_directory(files.directory)
    hosts = tuple(dict.fromkeys((*DEFAULT_HOSTS, *extra_hosts)))
    with directory_lock(files.directory):
        new_ca = not files.ca_cert.exists() or not files.ca_key.exists()
        if new_ca:
            _make_ca(files)
        if new_ca or _needs_server_cert(files, hosts):
            _make_server(files, hosts)
    return files
