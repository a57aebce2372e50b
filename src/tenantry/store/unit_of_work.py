"""Transaction boundary handed to services: `with store.transaction() as unit: …` commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import Connection, Engine

from tenantry.store.cache import ReadCache
from tenantry.store.engine import WRITE_OPTION
from tenantry.store.sql.cached import CachedSqlUnit
from tenantry.store.sql.unit import SqlUnit
from tenantry.store.watchers import watcher_for


class Store:
    """Owns the engine; every transaction gets one connection and one `SqlUnit`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
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
                yield SqlUnit(connection)

    @contextmanager
    def reader(self) -> Iterator[SqlUnit]:
        """For request validation: hot lookups come from the cache; a connection (and a read
        transaction) is opened only if something has to be read from the database."""
        if self._cache is None:
            with self.transaction() as unit:
                yield unit
            return
        with ExitStack() as stack:

            def open_connection() -> Connection:
                connection = stack.enter_context(self.engine.connect())
                stack.enter_context(connection.begin())
                return connection

            yield CachedSqlUnit(open_connection, self._cache, self._cache.refresh())

    def dispose(self) -> None:
        """Close pooled connections and the change watcher's."""
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
            self._cache = None
        self.engine.dispose()
