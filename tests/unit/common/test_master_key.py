"""The master key: one secret, purpose-bound derived keys, sealed storage."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from tenantry.common.master_key import MasterKey


def test_generated_file_is_private_and_stable(tmp_path: Path) -> None:
    """A generated master key is written 0600 and read back identically on the next start."""
    first = MasterKey.load_or_create(None, tmp_path)
    mode = stat.S_IMODE((tmp_path / "master.key").stat().st_mode)
    assert mode == 0o600
    second = MasterKey.load_or_create(None, tmp_path)
    assert first.derive("x") == second.derive("x")


def test_purposes_derive_independent_keys() -> None:
    """A leak of one derived key says nothing about another purpose's key."""
    key = MasterKey(b"k" * 32)
    assert key.derive("a") != key.derive("b")
    assert len(key.derive("a")) == 32


def test_sealed_data_is_bound_to_purpose_and_key() -> None:
    """AES-GCM with the purpose as associated data: wrong purpose or wrong master key fails loudly."""
    key = MasterKey(b"k" * 32)
    sealed = key.encrypt("signing", b"private key")
    assert key.decrypt("signing", sealed) == b"private key"
    with pytest.raises(InvalidTag):
        key.decrypt("other", sealed)
    with pytest.raises(InvalidTag):
        MasterKey(b"j" * 32).decrypt("signing", sealed)


def test_short_secret_is_refused() -> None:
    """Fewer than 32 bytes of master secret is too weak to derive keys from."""
    with pytest.raises(ValueError, match="32 bytes"):
        MasterKey(b"short")
