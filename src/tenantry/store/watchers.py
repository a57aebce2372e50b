"""Change watchers: a cheap, exact answer to "has the database changed since I last looked?".

The read cache asks this once per request, so it must cost next to nothing and never answer "no"
after a commit has returned, whichever process made it (this server, another worker, the CLI):

- SQLite in WAL mode: the wal-index header in the `-shm` file, mapped into memory. SQLite rewrites that
  header on every commit (its `iChange` counter goes up), and every connection of every process shares
  the file, so comparing 48 bytes of memory is the whole check: no system call, no lock, no GIL release.
  The layout is SQLite's documented file format (https://www.sqlite.org/walformat.html, §2.5).
- SQLite otherwise (no `-shm` file to map): `PRAGMA data_version` on private connections.
- PostgreSQL: `pg_current_wal_lsn()` moves on every committed write in the cluster.

All are conservative (any write counts, even one that touched no cached row), never stale. A finer
signal (per-table generations, Redis pub/sub across workers) can replace them without touching callers.
"""

from __future__ import annotations

import mmap
import sqlite3
import struct
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

# The first of the two copies of the wal-index header; its first field is the format version.
WAL_INDEX_HEADER = slice(0, 48)
WAL_INDEX_VERSION = 3007000


class ChangeWatcher(Protocol):
    """Answers a value that differs whenever the database has changed since the last call."""

    def current(self) -> Hashable:
        """A token of the database's current state."""
        ...

    def close(self) -> None:
        """Release what the watcher holds."""
        ...


class SqliteWalIndex:
    """Reads the wal-index header that SQLite keeps in shared memory (the `-shm` file).

    A connection of our own stays open for as long as the mapping lives: while any connection holds the
    wal-index, SQLite never truncates or rebuilds the file, so the mapped bytes are always there.
    """

    def __init__(self, keepalive: sqlite3.Connection, mapping: mmap.mmap) -> None:
        self._keepalive = keepalive
        self._mapping = mapping

    @classmethod
    def open(cls, path: str) -> SqliteWalIndex | None:
        """The watcher for the database at `path`, or None when it has no mappable wal-index."""
        keepalive = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
        try:
            # The engine puts every connection in WAL mode too; a first read then makes SQLite open (and
            # if need be create) the wal-index.
            mode = keepalive.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            keepalive.execute("SELECT count(*) FROM sqlite_master").fetchone()
            mapping = _map_header(Path(f"{path}-shm")) if mode == "wal" else None
        except (OSError, ValueError, sqlite3.Error):
            mapping = None
        if mapping is None:
            keepalive.close()
            return None
        return cls(keepalive, mapping)

    def current(self) -> Hashable:
        """The header's bytes: they change with every commit."""
        return self._mapping[WAL_INDEX_HEADER]

    def close(self) -> None:
        """Unmap, then let go of the wal-index."""
        self._mapping.close()
        self._keepalive.close()


def _map_header(shm: Path) -> mmap.mmap | None:
    with shm.open("rb") as handle:
        if shm.stat().st_size < WAL_INDEX_HEADER.stop * 2:
            return None
        mapping = mmap.mmap(handle.fileno(), WAL_INDEX_HEADER.stop * 2, access=mmap.ACCESS_READ)
    (version,) = struct.unpack_from("=I", mapping, 0)
    if version != WAL_INDEX_VERSION:
        mapping.close()
        return None
    return mapping


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

    def current(self) -> Hashable:
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

    def current(self) -> Hashable:
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
        return SqliteWalIndex.open(database) or SqliteDataVersion(database)
    if engine.dialect.name == "postgresql":
        return PostgresWalPosition(engine)
    return None
