"""A read-through cache of the directory data every token request reads, exact across processes.

The token endpoint reads the same few rows (tenant, app, service principal, credentials, role
assignments) on every request. This cache serves them from memory and is dropped whole as soon as the
database changed, whoever changed it (this process, another worker, the CLI):

- SQLite: `PRAGMA data_version` on a connection of our own that never writes changes whenever any
  other connection commits;
- PostgreSQL: `pg_current_wal_lsn()` moves on every committed write.

Both are conservative (any write drops the cache), never stale. A finer-grained signal (per-table
generations, Redis pub/sub across workers) can replace the watcher without touching callers.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

from sqlalchemy import Engine

T = TypeVar("T")
_MISSING = object()
MAX_ENTRIES = 50_000


class ChangeWatcher(Protocol):
    """Answers a value that differs whenever the database has changed since the last call."""

    def current(self) -> Hashable:
        """A token of the database's current state."""
        ...


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

    def current(self) -> Hashable:
        """The shared generation, bumped when this thread's connection saw a commit."""
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            local.connection, local.seen = connection, None
        seen = connection.execute("PRAGMA data_version").fetchone()[0]
        if seen != local.seen:
            local.seen = seen
            with self._lock:
                self._generation += 1
        return self._generation


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


def watcher_for(engine: Engine) -> ChangeWatcher | None:
    """The watcher for this database, or None (no caching) when there is no cheap exact signal."""
    if engine.dialect.name == "sqlite" and engine.url.database and engine.url.database != ":memory:":
        return SqliteDataVersion(engine.url.database)
    if engine.dialect.name == "postgresql":
        return PostgresWalPosition(engine)
    return None


class ReadCache:
    """Memoises read-only lookups for as long as the database stays unchanged."""

    def __init__(self, watcher: ChangeWatcher) -> None:
        self._watcher = watcher
        self._lock = threading.Lock()
        self._generation: Hashable = object()
        self._entries: dict[Hashable, object] = {}

    def refresh(self) -> Hashable:
        """Look at the database once (per request) and drop everything if it changed."""
        generation = self._watcher.current()
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    self._entries = {}
                    self._generation = generation
        return generation

    def get(self, generation: Hashable, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value of `key`, loading (and keeping, if nothing changed meanwhile) on a miss."""
        found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = load()
        with self._lock:
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries = {}
                self._entries[key] = value
        return value
