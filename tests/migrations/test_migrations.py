"""Alembic migrations on SQLite and PostgreSQL: upgrade is idempotent, matches the tables, and reverses.

`test_the_migrated_schema_matches_the_tables` is our `alembic check` gate (authentik's
ci-pending-migrations): a change to `tenantry.store.tables` without a migration fails it. Each test
gets an empty database of its own. PostgreSQL is skipped when unreachable, unless
`TENANTRY_REQUIRE_POSTGRES=1` (CI), which makes that a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from support.postgres import fresh_postgres_database, require_postgres
from tenantry.store.engine import make_engine
from tenantry.store.migrate import alembic_config, upgrade_database
from tenantry.store.tables import metadata

TABLES = set(metadata.tables)


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A uniquely named empty database, dropped (sessions forced out) afterwards."""
    with fresh_postgres_database(require_postgres()) as url:
        yield url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine (as the server makes it) on an empty database of the test's own."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'tenantry.db'}"
        else:
            url = stack.enter_context(_postgres_database())
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield engine


def head_revision() -> str:
    """The newest revision in our packaged scripts (exactly one head: no unmerged branches)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """What `alembic_version` says the database is at."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def user_tables(engine: Engine) -> set[str]:
    """Tables in the database, Alembic's bookkeeping excluded."""
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def run(engine: Engine, action: str, revision: str) -> None:
    """`alembic upgrade|downgrade <revision>` on one transaction, as `upgrade_database` runs it."""
    with engine.begin() as connection:
        getattr(command, action)(alembic_config(connection), revision)


def test_upgrading_an_empty_database_twice_reaches_head(engine: Engine) -> None:
    """The first upgrade creates every table; the second (every later server start) changes nothing."""
    upgrade_database(engine)
    assert current_revision(engine) == head_revision()
    assert user_tables(engine) == TABLES
    upgrade_database(engine)
    assert current_revision(engine) == head_revision()
    assert user_tables(engine) == TABLES


def test_the_migrated_schema_matches_the_tables(engine: Engine) -> None:
    """Autogenerate finds nothing to do after upgrading: the migrations and `tables.py` agree (`alembic check`)."""
    upgrade_database(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_downgrading_to_base_removes_everything_and_upgrading_again_works(engine: Engine) -> None:
    """Every migration reverses cleanly, and the schema can be rebuilt after a full downgrade."""
    upgrade_database(engine)
    run(engine, "downgrade", "base")
    assert current_revision(engine) is None
    assert user_tables(engine) == set()
    upgrade_database(engine)
    assert user_tables(engine) == TABLES


def test_each_revision_upgrades_downgrades_and_upgrades_again(engine: Engine) -> None:
    """Stairway check: step up one revision at a time, stepping back down and up again at each stair."""
    script = ScriptDirectory.from_config(alembic_config())
    for revision in reversed(list(script.walk_revisions("base", "heads"))):
        run(engine, "upgrade", revision.revision)
        run(engine, "downgrade", "-1")
        run(engine, "upgrade", revision.revision)
        assert current_revision(engine) == revision.revision
    assert user_tables(engine) == TABLES


@pytest.mark.postgres
def test_concurrent_first_starts_on_postgresql_are_serialised() -> None:
    """Several server processes starting on an empty PostgreSQL database at once all succeed (advisory lock)."""
    with _postgres_database() as url:
        engines = [make_engine(url) for _ in range(3)]
        try:
            with ThreadPoolExecutor(len(engines)) as pool:
                for future in [pool.submit(upgrade_database, e) for e in engines]:
                    future.result()
            assert current_revision(engines[0]) == head_revision()
            assert user_tables(engines[0]) == TABLES
        finally:
            for e in engines:
                e.dispose()
