"""Apply Alembic migrations at start-up, safely when several workers start at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

from tenantry.common.private_files import directory_lock
from tenantry.store.engine import WRITE_OPTION, change_file_of

# An arbitrary constant that names our PostgreSQL advisory lock.
_MIGRATION_LOCK = 7_302_215
# Alembic's migration context is process-global: one migration at a time per process.
_MIGRATION_THREAD_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our packaged scripts."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("tenantry.store").joinpath("migrations")))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory locks: two processes starting on one fresh file serialise on a lock file
    (`flock` on a 0600 file of our own, never on SQLite's files)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database)
    with directory_lock(path.parent, f"{path.name}.migrate-lock"):
        yield


def _revisions(connection: Connection) -> tuple[str, ...]:
    """The applied heads, read directly (an Alembic `MigrationContext` would log each time it is made)."""
    if not inspect(connection).has_table("alembic_version"):
        return ()
    return tuple(sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()))


def upgrade_database(engine: Engine) -> None:
    """Bring the schema to head; concurrent starters are serialised (advisory lock, or a lock file).

    The transaction takes SQLite's write lock up front (`BEGIN IMMEDIATE`), so a server writing meanwhile
    makes it wait rather than fail. A schema change may touch no row, so readers' caches are told
    explicitly (the change file) once it is committed.
    """
    with _MIGRATION_THREAD_LOCK, _file_lock(engine), engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            before = _revisions(connection)
            command.upgrade(alembic_config(connection), "head")
            changed = _revisions(connection) != before
    changes = change_file_of(engine)
    if changed and changes is not None:
        changes.touch()
