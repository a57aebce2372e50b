"""File modes (issue 9, item 6): the data directory is 0700 and what is secret in it 0600, whatever the umask;
a master key other users can read stops the CLI and the server with one clear line.

Each test starts from a data directory that does not exist yet, as an operator's first command does.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.live_server import LiveServer, free_port, server_environment

pytestmark = pytest.mark.compat

PRIVATE = ("tenantry.db", "tenantry.db.changes", "master.key", "tls/ca-key.pem", "tls/server-key.pem")
PUBLIC = ("tls/ca.pem", "tls/server.pem")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _tenantry(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        env=server_environment(home),
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The umask many systems default to: files 0644, directories 0755 unless the code says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_cli_command_then_the_server_keep_the_data_directory_private(tmp_path: Path, permissive_umask: None) -> None:
    home = tmp_path / "home"
    created = _tenantry(home, "tenant", "create", "--domain", "modes.example")
    assert created.returncode == 0, created.stderr
    assert _mode(home) == 0o700
    assert {name: _mode(home / name) for name in ("tenantry.db", "master.key")} == {
        "tenantry.db": 0o600,
        "master.key": 0o600,
    }
    server = LiveServer(home, free_port(), extra_args=())
    server.start()
    try:
        sqlite_files = [p.name for p in home.iterdir() if p.name.startswith("tenantry.db-")]
        modes = {name: _mode(home / name) for name in (*PRIVATE, *sqlite_files)}
    finally:
        server.stop()
    assert {"tenantry.db-wal", "tenantry.db-shm"} <= set(sqlite_files), "the running server has its WAL open"
    assert modes == dict.fromkeys(modes, 0o600)
    assert (_mode(home), _mode(home / "tls")) == (0o700, 0o700)
    assert {name: _mode(home / name) for name in PUBLIC} == dict.fromkeys(PUBLIC, 0o644)


def test_a_master_key_readable_by_others_stops_the_cli_and_the_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _tenantry(home, "tenant", "list").returncode == 0
    key = home / "master.key"
    os.chmod(key, 0o644)
    expected = f"{key} is readable by other users (mode 0644); run `chmod 600 {key}`"
    for args in (("tenant", "list"), ("serve", "--host", "127.0.0.1", "--port", str(free_port()))):
        refused = _tenantry(home, *args)
        assert refused.returncode != 0, refused.stdout
        lines = refused.stderr.strip().splitlines()
        assert lines[-1] == f"error: {expected}", refused.stderr
        assert "Traceback" not in refused.stderr
        assert [line for line in lines if "master.key" in line] == lines[-1:]
    assert _mode(key) == 0o644, "the key is the operator's to fix, not ours to hide"
