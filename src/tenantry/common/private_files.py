"""Files only the server's own user may read, created with explicit modes and published atomically.

The data directory holds the database, the master key and TLS private keys, so it is created 0700 and
what it holds 0600 whatever the umask says. An existing directory that other users can enter is tightened
to 0700 (with a warning), not refused: the files inside may have been readable already, and refusing would
only leave them so. The master key is the exception: if it was readable by others it may be known, so
`check_private_file` refuses it instead of silently tightening it.

Generated material (the master key, the development CA) is written to a temporary file first and then
published under its name in one step, so that processes started together agree on one copy and no reader
ever sees a half-written file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
_OTHERS = 0o077

log = logging.getLogger("tenantry")


class UnsafeFileModeError(Exception):
    """A secret file that other users can read or write: it must be fixed before the server starts."""


def ensure_private_directory(path: Path) -> None:
    """Create `path` (and its parents) with the directory itself 0700; tighten it if others can enter it."""
    try:
        path.mkdir(parents=True, mode=PRIVATE_DIRECTORY)
    except FileExistsError:
        pass
    else:
        os.chmod(path, PRIVATE_DIRECTORY)  # mkdir's mode is filtered by the umask; set it exactly
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & _OTHERS:
        try:
            os.chmod(path, (mode & ~_OTHERS) | PRIVATE_DIRECTORY)
        except OSError as exc:
            log.warning("%s is open to other users (mode %04o) and could not be tightened: %s", path, mode, exc)
        else:
            log.warning("%s was open to other users (mode %04o); it is now 0700", path, mode)


def check_private_file(path: Path) -> None:
    """Raise `UnsafeFileModeError` when group or others may read or write `path` (say so, and how to fix it)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & _OTHERS:
        return
    readable, writable = mode & 0o044, mode & 0o022
    how = "readable and writable" if readable and writable else "readable" if readable else "writable"
    raise UnsafeFileModeError(f"{path} is {how} by other users (mode {mode:04o}); run `chmod 600 {path}`")


def tighten_file(path: Path) -> None:
    """Make an existing file 0600 if group or others may use it (by path: no descriptor is opened, so no
    lock held through another one is disturbed); a missing file is fine, one we may not chmod is logged."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & _OTHERS:
            os.chmod(path, mode & ~_OTHERS)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("%s is open to other users and could not be tightened: %s", path, exc)


@contextmanager
def directory_lock(directory: Path, name: str = ".lock") -> Iterator[None]:
    """An exclusive `flock` on a lock file of our own in `directory`, across processes and threads.

    `flock` locks belong to the open file description, so (unlike POSIX record locks) closing some other
    descriptor of the same file elsewhere in the process cannot release them.
    """
    fd = os.open(directory / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _staged(path: Path, data: bytes, mode: int) -> Path:
    """`data` in a new temporary file next to `path` with exactly `mode`, flushed to disk."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name)
        raise
    os.close(fd)
    return Path(name)


def publish_once(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> bool:
    """Create `path` holding `data` unless it exists; True if ours won. Complete before it is visible:
    the name is a hard link to a fully written file, and `link` fails if another process got there first."""
    staged = _staged(path, data, mode)
    try:
        os.link(staged, path)
    except FileExistsError:
        return False
    finally:
        staged.unlink()
    return True


def replace_file(path: Path, data: bytes, mode: int) -> None:
    """Write `path` atomically: readers see the old content or the new, never a mix (callers serialise
    writers with `directory_lock`)."""
    staged = _staged(path, data, mode)
    try:
        os.replace(staged, path)
    except BaseException:
        staged.unlink()
        raise
