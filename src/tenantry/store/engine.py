"""Engines for the embedded SQLite default (WAL, foreign keys on) and PostgreSQL (psycopg 3).

A SQLite engine on a file also signals its commits through the change file (`tenantry.store.change_file`):
its DBAPI connections are of a `sqlite3.Connection` subclass whose `commit` marks the file before and
clears it after, so every write path (services, migrations, anything on `engine.begin()`) is covered.
The database and its `-wal`/`-shm` files are kept 0600: SQLite creates the database 0644 whatever the
umask, and the other two with the database's mode, so the first connection tightens them by path (never
through a descriptor of ours: closing one would drop SQLite's locks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from tenantry.common.private_files import tighten_file
from tenantry.store.change_file import ChangeFile, change_file_path, signalling_connection

# Execution option marking a connection whose transactions will write.
WRITE_OPTION = "tenantry_write"
# A write transaction to tables no read cache holds (the sign-in log): its commit does not mark the change
# file, so it leaves every process's read cache warm.
UNSIGNALLED_OPTION = "tenantry_unsignalled"
# How long a statement waits for another connection's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 10
_SQLITE_FILES = ("", "-wal", "-shm", "-journal")
_CHANGE_FILES: WeakKeyDictionary[Engine, ChangeFile] = WeakKeyDictionary()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, issue BEGIN: pysqlite sends none before SAVEPOINT, so a savepoint
    # that is a transaction's first write would commit on RELEASE (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")  # first: switching to WAL may wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """`BEGIN IMMEDIATE` for write transactions: they wait for the lock (busy_timeout) up front instead of
    failing when a read transaction tries to upgrade after another writer committed (SQLITE_BUSY_SNAPSHOT)."""
    options = connection.get_execution_options()
    mode = "IMMEDIATE" if options.get(WRITE_OPTION) else "DEFERRED"
    dbapi = connection.connection.dbapi_connection
    if hasattr(type(dbapi), "unsignalled"):
        dbapi.unsignalled = bool(options.get(UNSIGNALLED_OPTION))  # type: ignore[union-attr]
    connection.exec_driver_sql(f"BEGIN {mode}")


def _tighten(database: str) -> Callable[[Any, Any], None]:
    def tighten(_dbapi_connection: Any, _record: Any) -> None:
        for suffix in _SQLITE_FILES:
            tighten_file(Path(f"{database}{suffix}"))

    return tighten


def change_file_of(engine: Engine) -> ChangeFile | None:
    """The change file this engine's commits update, if it has one (a SQLite file made by `make_engine`)."""
    return _CHANGE_FILES.get(engine)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
    changes = None
    if database and database != ":memory:":
        changes = ChangeFile(change_file_path(database))
        connect_args["factory"] = signalling_connection(changes)
    engine = create_engine(url, connect_args=connect_args, pool_size=8, max_overflow=16)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    if changes is not None and database is not None:
        _CHANGE_FILES[engine] = changes
        event.listen(engine, "connect", _tighten(database))
        event.listen(engine, "engine_disposed", lambda _engine: changes.close())
    return engine


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets the pragmas a concurrent server needs and signals its commits."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
