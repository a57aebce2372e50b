"""Transaction boundary handed to services: `with store.transaction() as unit: …` commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine

from tenantry.store.cache import ReadCache
from tenantry.store.engine import UNSIGNALLED_OPTION, WRITE_OPTION
from tenantry.store.sql.base import NO_ALIASES
from tenantry.store.sql.cached import CachedSqlUnit
from tenantry.store.sql.unit import SqlUnit
from tenantry.store.watchers import watcher_for


class Store:
    """Owns the engine; every transaction gets one connection and one `SqlUnit`.

    `uri_aliases` maps App ID URIs (as `identifier_uri_key` spells them) to first-party appIds that the
    database does not hold because they are known only at run time: the server's public URL names
    Microsoft Graph (az has one setting for Graph's URL and its token audience). Every unit answers them as
    stored URIs of the system tenant, so tokens can be asked for them and no tenant app can claim them."""

    def __init__(self, engine: Engine, uri_aliases: Mapping[str, str] = NO_ALIASES) -> None:
        self.engine = engine
        self._uri_aliases = uri_aliases
        self._watcher = watcher_for(engine)
        self._cache = ReadCache(self._watcher) if self._watcher is not None else None

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[SqlUnit]:
        """Commit on success, roll back on any exception.

        `write=True` announces writes: on SQLite the transaction then takes the write lock at BEGIN.
        Reads with an occasional write may use either; a read transaction that writes can fail under
        concurrent writers on SQLite, so hot paths that write say so.
        """
        with self.engine.connect() as connection:
            if write:
                connection = connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield SqlUnit(connection, self._uri_aliases)

    @contextmanager
    def log_transaction(self) -> Iterator[SqlUnit]:
        """A write transaction for append-only logs that no read cache holds (the sign-in log): on SQLite
        its commit leaves the change file alone, so a log writer committing several times a second does not
        empty the token endpoint's cache each time. (PostgreSQL's watcher sees every WAL write anyway.)"""
        with self.engine.connect() as connection:
            options = {WRITE_OPTION: True, UNSIGNALLED_OPTION: True}
            with connection.execution_options(**options).begin():
                yield SqlUnit(connection, self._uri_aliases)

    def reader(self) -> AbstractContextManager[SqlUnit]:
        """For request validation: hot lookups come from the cache; a connection (and a read
        transaction) is opened only if something has to be read from the database."""
        if self._cache is None:
            return self.transaction()
        return _CachedRead(self.engine, self._cache, self._uri_aliases)

    def dispose(self) -> None:
        """Close pooled connections and the change watcher's."""
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
            self._cache = None
        self.engine.dispose()


class _CachedRead:
    """`Store.reader()` over the cache: a plain class, not a generator, because it runs on every token
    request; the connection and its transaction exist only after a cache miss."""

    __slots__ = ("_aliases", "_cache", "_engine", "_opened")

    def __init__(self, engine: Engine, cache: ReadCache, aliases: Mapping[str, str]) -> None:
        self._engine = engine
        self._cache = cache
        self._aliases = aliases
        self._opened: ExitStack | None = None

    def __enter__(self) -> SqlUnit:
        return CachedSqlUnit(self._open, self._cache, self._cache.refresh(), self._aliases)

    def _open(self) -> Connection:
        opened = self._opened = ExitStack()
        connection = opened.enter_context(self._engine.connect())
        opened.enter_context(connection.begin())
        return connection

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool | None:
        if self._opened is None:
            return None
        return self._opened.__exit__(kind, error, trace)
