"""The change file: eight bytes next to a SQLite database that every Tenantry process rewrites around each
commit that wrote something, so that every process's read cache can tell "changed?" from memory.

Why a file of our own and not SQLite's: SQLite's files (the database, `-wal`, `-shm`, `-journal`) are
guarded by POSIX record locks, and closing *any* descriptor of a file drops every such lock the process
holds on it, SQLite's included. A watcher that opened and closed `-shm` itself made other processes
believe they were alone, rebuild the wal-index and truncate it under everyone's mapping (SIGBUS, "locking
protocol", a corruption risk SQLite documents in https://www.sqlite.org/howtocorrupt.html §2.2). So
nothing here ever opens, closes or truncates SQLite's files; this file is ours, and `flock` (a lock of the
open file description, immune to that POSIX rule) guards its updates.

The value is a fresh random 64-bit number; its lowest bit says whether a commit is in flight (a seqlock
across processes):

1. A writer, while SQLite's write lock still keeps other writers out, stores a fresh *odd* value (`mark`).
2. It commits.
3. It stores a fresh *even* value (`clear`), unless another writer has marked since: that one will clear.

A reader (`tenantry.store.watchers.ChangeFileWatcher`) may serve what it cached under an even value while
that value stays; an odd value means "a commit may have landed: read the database". A process killed
between commit and clear leaves the value odd, so caches are bypassed (slower, never stale) until the next
writer clears it. Writes made by other programs (the `sqlite3` shell) do not touch this file: the caches
see them at the next Tenantry write or restart.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUFFIX = ".changes"
SIZE = 8
_MODE = 0o600

log = logging.getLogger("tenantry")


def change_file_path(database: str) -> Path:
    """Where the change file of the SQLite database at `database` lives."""
    return Path(f"{database}{SUFFIX}")


def _fresh(*, odd: bool) -> bytes:
    value = bytearray(os.urandom(SIZE))
    value[0] = value[0] | 1 if odd else value[0] & 0xFE
    return bytes(value)


def open_change_file(path: Path, flags: int) -> int:
    """A descriptor of the change file, created 0600 and at least `SIZE` bytes long if need be.

    Processes may race to create it: `O_CREAT` without `O_EXCL` lets all of them open the same file, and it
    is only ever extended (never truncated), so a value already written is never lost.
    """
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, _MODE)
    try:
        found = os.fstat(fd)
        if found.st_size < SIZE:
            os.ftruncate(fd, SIZE)
        if found.st_mode & 0o777 != _MODE and found.st_uid == os.geteuid():
            os.fchmod(fd, _MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


class ChangeFile:
    """The writing side: `mark` before a commit that wrote, `clear` after it (see the module docstring).

    The file is opened on first use (the watcher creates it when the store opens), and reopened after a
    fork or `close`, so that an engine stays usable whatever happened to the descriptor.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = -1
        self._fd = -1

    @contextmanager
    def _exclusive(self) -> Iterator[int]:
        """This process's threads, then other processes, one at a time (`flock`: per open file description)."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child must not share its parent's open file (and lock)
                self._reopen()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield self._fd
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _reopen(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._fd, self._pid = open_change_file(self.path, os.O_RDWR), os.getpid()

    def mark(self) -> bytes:
        """Announce a commit (call it while holding SQLite's write lock); returns the token for `clear`.
        Raises `OSError` if the file cannot be written: the caller must then not commit."""
        token = _fresh(odd=True)
        with self._exclusive() as fd:
            os.pwrite(fd, token, 0)
        return token

    def clear(self, token: bytes) -> None:
        """The commit announced by `token` is over: publish a fresh even value, unless another writer has
        marked since (its own `clear` will publish then). Never raises: the commit has happened, and a value
        left odd only makes readers bypass their caches."""
        try:
            with self._exclusive() as fd:
                if os.pread(fd, SIZE, 0) == token:
                    os.pwrite(fd, _fresh(odd=False), 0)
        except OSError:
            log.warning("could not update %s; read caches stay bypassed until the next write", self.path)

    def touch(self) -> None:
        """A change made without a row count to show for it (a schema migration): mark and clear at once."""
        self.clear(self.mark())

    def close(self) -> None:
        """Close our descriptor (of our own file: no lock of SQLite's is involved); reopened if used again."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
            self._fd, self._pid = -1, -1


def signalling_connection(changes: ChangeFile) -> type[sqlite3.Connection]:
    """A `sqlite3.Connection` class whose `commit` marks and clears `changes` when the transaction wrote.

    "Wrote" is `total_changes` (rows inserted, updated or deleted since the connection opened) having moved
    since the last commit or rollback: a C field read, no I/O, so read-only transactions cost nothing. Schema
    changes without row changes do not count; migrations `touch` the file themselves. A transaction begun
    `unsignalled` (it wrote only to tables no cache reads: the sign-in log) commits without marking.
    """

    class SignallingConnection(sqlite3.Connection):
        _settled = 0
        unsignalled = False

        def commit(self) -> None:
            if self.total_changes == self._settled or self.unsignalled:
                super().commit()
                self._settled = self.total_changes
                return
            token = changes.mark()
            try:
                super().commit()
            finally:
                self._settled = self.total_changes
                changes.clear(token)

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._settled = self.total_changes

    return SignallingConnection
