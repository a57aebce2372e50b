"""Apply Alembic migrations at start-up, safely when several workers start at once."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

# An arbitrary constant that names our PostgreSQL advisory lock.
_MIGRATION_LOCK = 7_302_215


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our packaged scripts."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("tenantry.store").joinpath("migrations")))
    config.attributes["connection"] = connection
    return config


def upgrade_database(engine: Engine) -> None:
    """Bring the schema to head; on PostgreSQL an advisory lock serialises concurrent starters."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), "head")
