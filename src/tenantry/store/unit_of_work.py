"""Transaction boundary handed to services: `with store.transaction() as unit: …` commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tenantry.store.sql.unit import SqlUnit


class Store:
    """Owns the engine; every transaction gets one connection and one `SqlUnit`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlUnit]:
        """Commit on success, roll back on any exception."""
        with self.engine.begin() as connection:
            yield SqlUnit(connection)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
