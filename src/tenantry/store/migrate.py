"""Apply Alembic migrations at start-up, safely when several workers start at once."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

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
    """SQLite has no advisory locks: two processes starting on one fresh file serialise on a lock file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_database(engine: Engine) -> None:
    """Bring the schema to head; concurrent starters are serialised (advisory lock, or a lock file)."""
    with _MIGRATION_THREAD_LOCK, _file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), "head")
