"""The connection every SQL repository mixin works on, opened on first use when given as a factory."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection


class SqlBase:
    """Holds the connection of the current transaction (or the means to open it lazily)."""

    def __init__(self, connection: Connection | Callable[[], Connection]) -> None:
        self._connection: Connection | None = connection if isinstance(connection, Connection) else None
        self._opener = None if isinstance(connection, Connection) else connection

    @property
    def _conn(self) -> Connection:
        if self._connection is None:
            assert self._opener is not None
            self._connection = self._opener()
        return self._connection
