"""The connection every SQL repository mixin works on."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlBase:
    """Holds the connection of the current transaction."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
