"""Change watchers: a cheap, exact answer to "has the database changed since I last looked?".

The read cache asks this once per request, so it must cost next to nothing and never answer "no"
after a commit has returned, whichever process made it (this server, another worker, the CLI):

- SQLite with Tenantry's engine: the change file next to the database (`tenantry.store.change_file`),
  mapped into memory. Every Tenantry process rewrites it around each commit that wrote, so comparing
  eight bytes of memory is the whole check: no system call, no lock, no GIL release.
- SQLite otherwise (an engine that does not signal, or a file that cannot be mapped): `PRAGMA
  data_version` on private connections.
- PostgreSQL: `pg_current_wal_lsn()` moves on every committed write in the cluster.

All are conservative (any write counts, even one that touched no cached row), never stale. A watcher
never opens, closes or truncates SQLite's own files (database, `-wal`, `-shm`, `-journal`): closing a
descriptor of one drops the process's POSIX locks on it, SQLite's included (see `change_file`).
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from tenantry.store.change_file import SIZE, change_file_path, open_change_file
from tenantry.store.engine import change_file_of


class ChangeWatcher(Protocol):
    """Answers a value that differs whenever the database has changed since the last call."""

    def current(self) -> Hashable | None:
        """A token of the database's current state, or None while no token can be trusted (a commit is in
        flight): then nothing may be served from, or stored in, a cache."""
        ...

    def close(self) -> None:
        """Release what the watcher holds."""
        ...


class ChangeFileWatcher:
    """Reads the change file through a shared, read-only memory map.

    The descriptor used to map it is closed at once (the mapping keeps the file); that file is ours, so
    closing it releases no lock of SQLite's. The file is only ever extended, never truncated, so the
    mapped bytes stay valid for as long as the mapping lives.
    """

    __slots__ = ("_mapping",)

    def __init__(self, mapping: mmap.mmap) -> None:
        self._mapping = mapping

    @classmethod
    def open(cls, path: Path) -> ChangeFileWatcher | None:
        """The watcher of the change file at `path` (created if need be), or None if it cannot be mapped."""
        try:
            fd = open_change_file(path, os.O_RDWR)
        except OSError:
            return None
        try:
            return cls(mmap.mmap(fd, SIZE, access=mmap.ACCESS_READ))
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)

    def current(self) -> Hashable | None:
        """The file's eight bytes, or None while their lowest bit says a commit is in flight."""
        value = self._mapping[:SIZE]
        return None if value[0] & 1 else value

    def close(self) -> None:
        """Unmap."""
        self._mapping.close()


class SqliteDataVersion:
    """`PRAGMA data_version` on private connections, one per thread so that threads never queue.

    A connection's data version changes when *another* connection commits, and the numbers of two
    connections are unrelated: so each thread compares its own connection with its own last reading,
    and any change it sees bumps one shared generation.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation = 0
        self._connections: list[sqlite3.Connection] = []

    def current(self) -> Hashable | None:
        """The shared generation, bumped when this thread's connection saw a commit."""
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            local.connection, local.seen = connection, None
            with self._lock:
                self._connections.append(connection)
        seen = connection.execute("PRAGMA data_version").fetchone()[0]
        if seen != local.seen:
            local.seen = seen
            with self._lock:
                self._generation += 1
        return self._generation

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()


class PostgresWalPosition:
    """The WAL insert position: it advances with every committed write anywhere in the cluster."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection = engine.raw_connection()

    def current(self) -> Hashable | None:
        """The current WAL LSN as text."""
        with self._lock:
            cursor = self._connection.cursor()
            try:
                cursor.execute("SELECT pg_current_wal_lsn()::text")
                row = cursor.fetchone()
            finally:
                cursor.close()
            self._connection.rollback()
        return str(row[0]) if row else ""

    def close(self) -> None:
        """Return the connection to the pool."""
        with self._lock:
            self._connection.close()


def watcher_for(engine: Engine) -> ChangeWatcher | None:
    """The watcher for this database, or None (no caching) when there is no cheap exact signal."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        mapped = ChangeFileWatcher.open(change_file_path(database)) if change_file_of(engine) else None
        return mapped or SqliteDataVersion(database)
    if engine.dialect.name == "postgresql":
        return PostgresWalPosition(engine)
    return None
