"""Where the server of a data directory answers: `serve` records it in `<home>/server.json`, the CLI reads it.

The record holds the public URL `serve` resolved (`--public-url`, `TENANTRY_PUBLIC_URL`, else
`https://localhost:<first port>`), its pid and ports. It is written atomically (a 0600 temporary file,
then `os.replace`) and, on exit, marked stopped rather than removed: a link the CLI makes while the server
is down then points where the server last ran, which is where it is most likely to run again. When two
servers share a data directory, the record is the latest one's, and it goes back to the other's when the
latest one exits (also when it failed to start, e.g. on a port in use).

Precedence for the CLI (`public_url`): `TENANTRY_PUBLIC_URL` > the recorded URL (running or last known)
> `https://localhost:8443`, the address of a plain `tenantry serve`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType

RECORD_NAME = "server.json"
DEFAULT_PORT = 8443


def local_public_url(port: int) -> str:
    """The public URL of a server started without `--public-url`: `localhost` is in the dev certificate."""
    return f"https://localhost:{port}"


DEFAULT_PUBLIC_URL = local_public_url(DEFAULT_PORT)


@dataclass(frozen=True, slots=True)
class ServerRecord:
    """What `serve` says about itself in its data directory."""

    public_url: str
    pid: int
    ports: tuple[int, ...]
    running: bool = True

    @property
    def alive(self) -> bool:
        """Marked running and its process exists (signal 0 checks without sending anything)."""
        if not self.running:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a process of another user holds the pid: it exists
            return True
        return True


def read_record(home: Path) -> ServerRecord | None:
    """The record in `home`, or None when there is none or it is unreadable (never an error: it is a hint)."""
    try:
        data = json.loads((home / RECORD_NAME).read_text(encoding="utf-8"))
        record = ServerRecord(
            str(data["public_url"]), int(data["pid"]), tuple(int(p) for p in data["ports"]), bool(data["running"])
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return record if record.public_url.startswith(("https://", "http://")) else None


def write_record(home: Path, record: ServerRecord) -> None:
    """Replace the record atomically: readers see the old file or the new one, never a partial one."""
    body = {"public_url": record.public_url, "pid": record.pid, "ports": list(record.ports), "running": record.running}
    fd, temporary = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", dir=home)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
        os.replace(temporary, home / RECORD_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _release(home: Path, record: ServerRecord, before: ServerRecord | None) -> None:
    """Give the record back to the server that held it before, if that one still runs, else mark ours
    stopped; a record another server wrote in the meantime is left alone."""
    with contextlib.suppress(OSError):
        current = read_record(home)
        if current is not None and current.pid == record.pid:
            other = before if before is not None and before.pid != record.pid and before.alive else None
            write_record(home, other or replace(record, running=False))


@contextlib.contextmanager
def recorded(home: Path, record: ServerRecord) -> Iterator[None]:
    """Record `record` while the block runs, and release it (`_release`) when the block ends or SIGTERM
    ends the process: uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the
    handler it found, and the default one would end the process before any `finally` runs. Our handler
    releases the record, then lets the signal take its course (same exit status as before)."""
    before = read_record(home)
    write_record(home, record)
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            _release(home, record, before)

    def on_sigterm(signum: int, _frame: FrameType | None) -> None:
        release()
        signal.signal(signum, previous)
        signal.raise_signal(signum)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = (signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None) or signal.SIG_DFL
    try:
        yield
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
        release()


def public_url(home: Path, configured: str | None) -> tuple[str, ServerRecord | None]:
    """The URL links made by the CLI point at (see the module docstring), and the record it came from."""
    if configured:
        return configured, None
    record = read_record(home)
    return (record.public_url, record) if record is not None else (DEFAULT_PUBLIC_URL, None)
