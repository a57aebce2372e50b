"""Signing-key lifecycle: generate, rotate with overlap, publish, retire.

Rotation never breaks a relying party: a new key is published in JWKS for `activation_delay` before it
signs anything, and the previous key stays published until every token it signed has expired.

```mermaid
stateDiagram-v2
    [*] --> Published: rotate()
    Published --> Signing: activates_at reached
    Signing --> Verifying: a newer key activates
    Verifying --> [*]: retires_at reached
```
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tenantry.common.clock import Clock, as_utc
from tenantry.common.ids import b64url
from tenantry.common.master_key import MasterKey
from tenantry.tokens.models import StoredSigningKey
from tenantry.tokens.repository import SigningKeyRepository

_PURPOSE = "tenantry/signing-key/v1"
_CERT_YEARS = 5


@dataclass(frozen=True, slots=True)
class ActiveKey:
    """A key loaded in memory: the private key only for the one that signs."""

    kid: str
    cert_der: bytes
    public_key: rsa.RSAPublicKey
    private_key: rsa.RSAPrivateKey | None


def _self_signed(private_key: rsa.RSAPrivateKey, now: datetime) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenantry token signing")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * _CERT_YEARS))
        .sign(private_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def jwk_of(key: ActiveKey, issuer: str | None) -> dict[str, Any]:
    """The JWKS entry, shaped like Entra's: `kid` equals `x5t`, one self-signed cert in `x5c`."""
    numbers = key.public_key.public_numbers()
    entry: dict[str, Any] = {
        "kty": "RSA",
        "use": "sig",
        "kid": key.kid,
        "x5t": key.kid,
        "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
        "x5c": [base64.b64encode(key.cert_der).decode("ascii")],
    }
    if issuer is not None:
        entry["issuer"] = issuer
    return entry


class MasterKeyMismatchError(RuntimeError):
    """Stored keys were sealed under another master key; starting would fail every token request."""


REFRESH_SECONDS = 30.0


class KeyManager:
    """Keeps the signing keys in memory; `reload` refreshes them (the server does so every 30 seconds,
    which is how a `tenantry keys rotate` made by another process reaches a running server)."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[SigningKeyRepository]],
        master_key: MasterKey,
        clock: Clock,
        *,
        activation_delay: timedelta,
        retire_after: timedelta,
    ) -> None:
        self._transaction = transaction
        self._master_key = master_key
        self._clock = clock
        self._activation_delay = activation_delay
        self._retire_after = retire_after
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._signer: ActiveKey | None = None
        self._published: tuple[ActiveKey, ...] = ()

    def _generate(self, activates_at: datetime) -> StoredSigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = self._clock.now()
        cert_der = _self_signed(private_key, now)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        kid = b64url(hashlib.sha1(cert_der, usedforsecurity=False).digest())
        return StoredSigningKey(kid, self._master_key.encrypt(_PURPOSE, pem), cert_der, now, activates_at)

    def ensure_signing_key(self) -> None:
        """On first start (or after every key retired) create a key that signs at once."""
        now = self._clock.now()
        with self._transaction() as repo:
            if not any(_normalised(k).can_sign(now) for k in repo.list_signing_keys()):
                repo.add_signing_key(self._generate(now))
        try:
            self.reload()
            self.signer()
        except InvalidTag as exc:
            raise MasterKeyMismatchError(
                "the signing keys cannot be decrypted: TENANTRY_SECRET_KEY (or master.key) differs from the one "
                "that created them"
            ) from exc

    def rotate(self) -> StoredSigningKey:
        """Publish a new key now; it signs after the activation delay, and older keys retire after that."""
        now = self._clock.now()
        new_key = self._generate(now + self._activation_delay)
        with self._transaction() as repo:
            for old in repo.list_signing_keys():
                if old.retires_at is None:
                    repo.retire_signing_key(old.kid, new_key.activates_at + self._retire_after)
            repo.add_signing_key(new_key)
        self.reload()
        return new_key

    def list_keys(self) -> list[StoredSigningKey]:
        """Every stored key with its schedule (for `tenantry keys list`)."""
        with self._transaction() as repo:
            return [_normalised(k) for k in repo.list_signing_keys()]

    def _load(self) -> None:
        now = self._clock.now()
        with self._transaction() as repo:
            stored = [_normalised(k) for k in repo.list_signing_keys()]
        published = [k for k in stored if k.is_published(now)]
        signing = [k for k in published if k.can_sign(now)]
        current = max(signing, key=lambda k: k.activates_at, default=None)
        loaded = tuple(self._activate(k, with_private=current is not None and k.kid == current.kid) for k in published)
        self._published = loaded
        self._signer = next((k for k in loaded if k.private_key is not None), None)

    def _activate(self, key: StoredSigningKey, *, with_private: bool) -> ActiveKey:
        """Parse a stored key, reusing the one already in memory: loading an RSA private key costs tens of
        milliseconds of CPU under the GIL, too much to repeat every 30 seconds in a busy server."""
        known = next((k for k in self._published if k.kid == key.kid), None)
        if known is not None and (known.private_key is not None) == with_private:
            return known
        cert = x509.load_der_x509_certificate(key.cert_der)
        public_key = cert.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        private_key = None
        if with_private:
            loaded = serialization.load_pem_private_key(
                self._master_key.decrypt(_PURPOSE, key.sealed_private_key), None
            )
            assert isinstance(loaded, rsa.RSAPrivateKey)
            private_key = loaded
        return ActiveKey(key.kid, key.cert_der, public_key, private_key)

    def reload(self) -> None:
        """Re-read the keys from storage (the server calls this every 30 s in the background, so the
        signing path never waits on the database)."""
        with self._lock:
            self._load()
            self._loaded_at = time.monotonic()

    def _ensure_loaded(self) -> None:
        if self._loaded_at == float("-inf"):
            self.reload()

    def signer(self) -> ActiveKey:
        """The key that signs now."""
        self._ensure_loaded()
        if self._signer is None:
            raise RuntimeError("no signing key is active; run `tenantry keys list`")
        return self._signer

    def published(self) -> tuple[ActiveKey, ...]:
        """The keys relying parties must accept now."""
        self._ensure_loaded()
        return self._published


def _normalised(key: StoredSigningKey) -> StoredSigningKey:
    """Storage may return naive datetimes (SQLite); make them aware UTC."""
    return replace(
        key,
        created_at=as_utc(key.created_at),
        activates_at=as_utc(key.activates_at),
        retires_at=as_utc(key.retires_at) if key.retires_at else None,
    )
