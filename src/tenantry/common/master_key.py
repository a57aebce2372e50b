"""The server's master secret and the keys derived from it.

One secret (from settings, or a generated 0600 file in the data directory) is stretched with HKDF into
purpose-bound keys: one keys the HMAC of client secrets, one encrypts signing keys at rest. Separate
purposes mean a leak of one derived key does not expose the others.

The generated file is published atomically (first writer wins), so processes started together on a fresh
data directory all use the same secret. A file that group or others may read or write is refused rather
than used: its secret may already be known.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tenantry.common.private_files import check_private_file, ensure_private_directory, publish_once

_FILE_NAME = "master.key"
_NONCE_BYTES = 12


class MasterKey:
    """Derives purpose keys; never exposes the master secret itself."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the master secret must hold at least 32 bytes")
        self._secret = secret
        self._cache: dict[str, bytes] = {}

    @classmethod
    def load_or_create(cls, configured: str | None, home: Path) -> MasterKey:
        """Use the configured secret, else read or create `<home>/master.key` with mode 0600.

        Raises `UnsafeFileModeError` when the file is readable or writable by group or others.
        """
        if configured:
            return cls(configured.encode("utf-8"))
        path = home / _FILE_NAME
        if not path.exists():
            ensure_private_directory(home)
            publish_once(path, secrets.token_hex(32).encode("ascii"))
        check_private_file(path)
        return cls(path.read_text(encoding="ascii").strip().encode("ascii"))

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key bound to `purpose` (HKDF-SHA256, RFC 5869)."""
        if purpose not in self._cache:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode("utf-8"))
            self._cache[purpose] = hkdf.derive(self._secret)
        return self._cache[purpose]

    def mac(self, purpose: str, data: bytes) -> bytes:
        """HMAC-SHA256 of `data` under the purpose key."""
        return hmac.new(self.derive(purpose), data, hashlib.sha256).digest()

    def encrypt(self, purpose: str, plaintext: bytes) -> bytes:
        """AES-256-GCM with a random nonce; the purpose is bound as associated data."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + AESGCM(self.derive(purpose)).encrypt(nonce, plaintext, purpose.encode("utf-8"))

    def decrypt(self, purpose: str, sealed: bytes) -> bytes:
        """Reverse of `encrypt`; raises `cryptography.exceptions.InvalidTag` on tampering or a wrong key."""
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        return AESGCM(self.derive(purpose)).decrypt(nonce, ciphertext, purpose.encode("utf-8"))
