"""The connection every SQL repository mixin works on, opened on first use when given as a factory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from sqlalchemy import Connection

NO_ALIASES: Mapping[str, str] = MappingProxyType({})


class SqlBase:
    """Holds the connection of the current transaction (or the means to open it lazily), and the App ID URIs
    the composition root adds to first-party apps at run time (`Store`'s `uri_aliases`)."""

    def __init__(
        self, connection: Connection | Callable[[], Connection], uri_aliases: Mapping[str, str] = NO_ALIASES
    ) -> None:
        self._connection: Connection | None = connection if isinstance(connection, Connection) else None
        self._opener = None if isinstance(connection, Connection) else connection
        self._uri_aliases = uri_aliases

    @property
    def _conn(self) -> Connection:
        if self._connection is None:
            assert self._opener is not None
            self._connection = self._opener()
        return self._connection
