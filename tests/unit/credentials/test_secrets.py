"""Client secrets: generation, keyed hashing and constant-time matching."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from tenantry.common.master_key import MasterKey
from tenantry.credentials.models import PasswordCredential
from tenantry.credentials.secrets import _ALPHABET, SECRET_LENGTH, SecretHasher, generate_secret

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _credential(hasher: SecretHasher, text: str, key_id: str) -> PasswordCredential:
    return PasswordCredential(key_id, "t", "a", "", text[:3], hasher.hash(text), NOW, NOW + timedelta(days=1))


def test_secrets_carry_at_least_256_bits() -> None:
    """44 characters from a 64-symbol alphabet: 264 bits, as the foundation issue requires (≥ 256)."""
    assert len(_ALPHABET) == 64
    assert SECRET_LENGTH * math.log2(len(_ALPHABET)) >= 256
    values = {generate_secret() for _ in range(200)}
    assert len(values) == 200
    assert all(len(v) == SECRET_LENGTH and set(v) <= set(_ALPHABET) for v in values)


def test_hash_is_keyed() -> None:
    """The same secret hashes differently under another server key, so a stolen table alone is useless."""
    secret = generate_secret()
    assert SecretHasher(MasterKey(b"a" * 32)).hash(secret) != SecretHasher(MasterKey(b"b" * 32)).hash(secret)


def test_match_finds_the_right_credential_among_several() -> None:
    """Several valid secrets coexist (rotation); the presented one is matched, a wrong one is not."""
    hasher = SecretHasher(MasterKey(b"a" * 32))
    first, second = generate_secret(), generate_secret()
    stored = [_credential(hasher, first, "1"), _credential(hasher, second, "2")]
    found = hasher.match(second, stored)
    assert found is not None and found.key_id == "2"
    assert hasher.match("not-a-secret", stored) is None
    assert hasher.match(first, []) is None
