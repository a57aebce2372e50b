"""The master key: one secret, purpose-bound derived keys, sealed storage."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from tenantry.common.master_key import MasterKey
from tenantry.common.private_files import UnsafeFileModeError


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


_LOAD_AT_ONCE = """
import os, sys, time
from pathlib import Path
from tenantry.common.master_key import MasterKey
home, ready, go = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
open(os.path.join(ready, str(os.getpid())), "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
print(MasterKey.load_or_create(None, home).derive("probe").hex())
"""


def _load_at_once(home: Path, workdir: Path, count: int) -> list[tuple[int, str, str]]:
    """`count` processes load (or create) the master key of `home` at the same moment, after their imports."""
    ready, go = workdir / "ready", workdir / "go"
    ready.mkdir(parents=True)
    command = [sys.executable, "-c", _LOAD_AT_ONCE, str(home), str(ready), str(go)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)
    ]
    deadline = time.monotonic() + 60
    while len(list(ready.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=60) for p in processes]
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs, strict=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_processes_started_together_on_a_fresh_home_agree_on_one_key(tmp_path: Path, attempt: int) -> None:
    """The first writer wins and the others read its complete file: never a half-written or second key."""
    home = tmp_path / "fresh" / "home"
    results = _load_at_once(home, tmp_path / "launch", 8)
    assert [code for code, _, _ in results] == [0] * 8, [err for _, _, err in results]
    assert len({out for _, out, _ in results}) == 1
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "master.key").stat().st_mode) == 0o600
    assert [p.name for p in home.iterdir()] == ["master.key"], "no temporary file is left behind"


@pytest.mark.parametrize(
    ("mode", "how"),
    [(0o644, "readable by other users (mode 0644)"), (0o620, "writable by other users (mode 0620)")],
)
def test_a_key_file_other_users_can_reach_is_refused(tmp_path: Path, mode: int, how: str) -> None:
    """A master key others could read may be known: refuse it, and say how to fix it."""
    MasterKey.load_or_create(None, tmp_path)
    os.chmod(tmp_path / "master.key", mode)
    with pytest.raises(UnsafeFileModeError) as refused:
        MasterKey.load_or_create(None, tmp_path)
    assert str(refused.value) == f"{tmp_path / 'master.key'} is {how}; run `chmod 600 {tmp_path / 'master.key'}`"


def test_a_configured_secret_needs_no_file(tmp_path: Path) -> None:
    MasterKey.load_or_create("s" * 32, tmp_path / "unused")
    assert not (tmp_path / "unused").exists()
