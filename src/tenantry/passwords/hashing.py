"""argon2id password hashing at OWASP's minimum (m=19 MiB, t=2, p=1), with rehash on login.

A hash records its parameters, so raising them later upgrades each user at their next successful
sign-in (`needs_rehash`) instead of forcing a reset.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
# Each argon2 computation holds 19 MiB; allocator arenas keep it per thread. One per core uses every core and
# bounds the memory, whichever thread pool (sign-in pages, ROPC) the call comes from (`Settings`).
DEFAULT_CONCURRENT_HASHES = 2


class PasswordHashing:
    """Hash, verify and decide on rehashing; the argon2 work releases the GIL."""

    def __init__(
        self,
        memory_kib: int = MEMORY_KIB,
        time_cost: int = TIME_COST,
        parallelism: int = PARALLELISM,
        *,
        concurrency: int = DEFAULT_CONCURRENT_HASHES,
    ) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, hash_len=32, salt_len=16, type=Type.ID
        )

    def hash(self, password: str) -> str:
        """A new encoded hash with a random salt."""
        with self._slots:
            return self._hasher.hash(password)

    def verify(self, encoded: str | None, password: str) -> bool:
        """Constant-time check; a missing or corrupt hash never matches."""
        if not encoded:
            return False
        try:
            with self._slots:
                return self._hasher.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(encoded)
        except InvalidHashError:
            return True
