"""Transaction boundary handed to services: `with store.transaction() as unit: …` commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tenantry.store.engine import WRITE_OPTION
from tenantry.store.sql.unit import SqlUnit


class Store:
    """Owns the engine; every transaction gets one connection and one `SqlUnit`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
