"""PostgreSQL for tests: find the server (skip, or fail when CI requires it) and make throwaway databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def require_postgres() -> str:
    """The maintenance-database URL if the server answers; else skip, or fail when CI requires it."""
    url = os.environ.get("TENANTRY_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = f"PostgreSQL is unreachable at {make_url(url).render_as_string()}: {str(exc.orig).splitlines()[0]}"
        if os.environ.get("TENANTRY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"TENANTRY_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """CREATE a uniquely named empty database, yield its URL, and DROP it (forcing out stray sessions)."""
    name = f"tenantry_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
