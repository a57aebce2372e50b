"""`<home>/server.json`: how `serve` records its public URL and how the CLI picks the URL of its links."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tenantry.cli.server_record import (
    DEFAULT_PUBLIC_URL,
    RECORD_NAME,
    ServerRecord,
    public_url,
    read_record,
    recorded,
    write_record,
)


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_record_is_private_and_replaced_whole(tmp_path: Path) -> None:
    """0600, no temporary file left behind, and a second write replaces the first."""
    write_record(tmp_path, ServerRecord("https://localhost:9443", 123, (9443, 443)))
    write_record(tmp_path, ServerRecord("https://login.example.test", 456, (8443,)))
    assert read_record(tmp_path) == ServerRecord("https://login.example.test", 456, (8443,))
    assert stat.S_IMODE((tmp_path / RECORD_NAME).stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [RECORD_NAME]


@pytest.mark.parametrize("text", ["", "{", "[]", '{"public_url": "ftp://x", "pid": 1, "ports": [], "running": true}'])
def test_an_unusable_record_is_ignored(tmp_path: Path, text: str) -> None:
    """A damaged or foreign file is no record: the CLI falls back to the default URL."""
    (tmp_path / RECORD_NAME).write_text(text, encoding="utf-8")
    assert read_record(tmp_path) is None
    assert public_url(tmp_path, None) == (DEFAULT_PUBLIC_URL, None)


def test_precedence_configured_then_recorded_then_default(tmp_path: Path) -> None:
    """TENANTRY_PUBLIC_URL wins; else the recorded URL (even of a stopped server); else localhost:8443."""
    assert public_url(tmp_path, None) == ("https://localhost:8443", None)
    stopped = ServerRecord("https://localhost:9443", _dead_pid(), (9443,), running=False)
    write_record(tmp_path, stopped)
    assert public_url(tmp_path, None) == ("https://localhost:9443", stopped)
    assert public_url(tmp_path, "https://login.example.test") == ("https://login.example.test", None)


def test_alive_needs_the_flag_and_the_process(tmp_path: Path) -> None:
    """A record marked running whose process is gone (kill -9) is not alive; nor is one marked stopped."""
    assert ServerRecord("https://localhost:1", os.getpid(), (1,)).alive
    assert not ServerRecord("https://localhost:1", os.getpid(), (1,), running=False).alive
    assert not ServerRecord("https://localhost:1", _dead_pid(), (1,)).alive


def test_on_exit_the_record_is_marked_stopped(tmp_path: Path) -> None:
    """While the block runs the record says running; afterwards the URL stays, marked stopped."""
    ours = ServerRecord("https://localhost:9443", os.getpid(), (9443,))
    with recorded(tmp_path, ours):
        assert read_record(tmp_path) == ours
    assert read_record(tmp_path) == ServerRecord("https://localhost:9443", os.getpid(), (9443,), running=False)


def test_on_exit_the_record_goes_back_to_a_server_still_running(tmp_path: Path) -> None:
    """A second server on the same home (or one that failed on a taken port) hands the record back to the
    first when that one still runs; a record left by a dead server is not restored."""
    other = ServerRecord("https://localhost:8443", os.getppid(), (8443,))
    write_record(tmp_path, other)
    with recorded(tmp_path, ServerRecord("https://localhost:9443", os.getpid(), (9443,))):
        pass
    assert read_record(tmp_path) == other
    write_record(tmp_path, ServerRecord("https://localhost:8443", _dead_pid(), (8443,)))
    with recorded(tmp_path, ServerRecord("https://localhost:9443", os.getpid(), (9443,))):
        pass
    assert read_record(tmp_path) == ServerRecord("https://localhost:9443", os.getpid(), (9443,), running=False)


def test_a_record_written_meanwhile_by_another_server_is_left_alone(tmp_path: Path) -> None:
    """Only our own record is changed on exit."""
    later = ServerRecord("https://localhost:7443", os.getppid(), (7443,))
    with recorded(tmp_path, ServerRecord("https://localhost:9443", os.getpid(), (9443,))):
        write_record(tmp_path, later)
    assert read_record(tmp_path) == later


def test_sigterm_marks_the_record_stopped_and_still_ends_the_process(tmp_path: Path) -> None:
    """uvicorn re-raises SIGTERM after its graceful shutdown: the record is released first, and the process
    still ends by the signal (its exit status is unchanged)."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tenantry.cli.server_record import ServerRecord, recorded\n"
        "import os\n"
        "with recorded(Path(sys.argv[1]), ServerRecord('https://localhost:9443', os.getpid(), (9443,))):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(30)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    assert read_record(tmp_path) == ServerRecord("https://localhost:9443", child.pid, (9443,))
    child.terminate()
    assert child.wait(timeout=10) == -signal.SIGTERM
    assert read_record(tmp_path) == ServerRecord("https://localhost:9443", child.pid, (9443,), running=False)
