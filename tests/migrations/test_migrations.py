"""Alembic migrations on SQLite and PostgreSQL: upgrade is idempotent, matches the tables, and reverses.

`test_the_migrated_schema_matches_the_tables` is our `alembic check` gate (authentik's
ci-pending-migrations): a change to `tenantry.store.tables` without a migration fails it. Each test
gets an empty database of its own. PostgreSQL is skipped when unreachable, unless
`TENANTRY_REQUIRE_POSTGRES=1` (CI), which makes that a failure.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from support.postgres import fresh_postgres_database, require_postgres
from tenantry.apps.first_party import GRAPH_URI as GRAPH
from tenantry.apps.first_party import SYSTEM_TENANT_ID
from tenantry.store.engine import make_engine
from tenantry.store.migrate import alembic_config, upgrade_database
from tenantry.store.tables import applications, metadata, tenants

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


def _insert_0004_apps(engine: Engine, apps: list[tuple[str, str, str, list[str]]]) -> None:
    """Rows as revision 0004 stored them: (tenant, app object id, created_at, identifierUris as spelled)."""
    uris = sa.table("application_identifier_uris", *(sa.column(c) for c in ("tenant_id", "uri", "application_id")))
    with engine.begin() as connection:
        for tenant in dict.fromkeys(t for t, *_ in apps):
            connection.execute(sa.insert(tenants).values(id=tenant, display_name="t", created_at=datetime.now(UTC)))
        for tenant, app_id, created, spelled in apps:
            connection.execute(
                sa.insert(applications).values(
                    id=app_id,
                    tenant_id=tenant,
                    app_id=str(uuid.uuid4()),
                    display_name=app_id[:8],
                    sign_in_audience="AzureADMyOrg",
                    is_fallback_public_client=False,
                    requested_access_token_version=None,
                    document={"identifierUris": spelled, "web": [], "spa": [], "publicClient": []},
                    created_at=datetime.fromisoformat(created),
                )
            )
            for uri in spelled:
                connection.execute(sa.insert(uris).values(tenant_id=tenant, uri=uri, application_id=app_id))


def _rows(engine: Engine, column: str) -> set[tuple[str, str, str]]:
    """(tenant, URI column, application id) of every row of the URI index."""
    query = f"SELECT tenant_id, {column}, application_id FROM application_identifier_uris"
    with engine.connect() as connection:
        return {(t, u, a) for t, u, a in connection.execute(sa.text(query))}


def test_0005_keeps_the_oldest_claim_of_each_uri_and_frees_first_party_uris(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Squatted variants stored before 0005 (exact-match uniqueness) are resolved when the key becomes
    case- and slash-insensitive: the oldest app keeps the URI; later variants, and claims of a first-party
    URI outside the system tenant, are removed from their apps and logged; other tenants and one app's two
    spellings of its own URI are kept. Downgrading brings back exact spellings of what is left."""
    run(engine, "upgrade", "0004")
    tenant, other = str(uuid.uuid4()), str(uuid.uuid4())
    graph, legit, squatter, thief, same_app, elsewhere = (str(uuid.uuid4()) for _ in range(6))
    _insert_0004_apps(
        engine,
        [
            (SYSTEM_TENANT_ID, graph, "2026-01-01T00:00:00+00:00", [GRAPH, GRAPH + "/"]),
            (tenant, squatter, "2026-03-01T00:00:00+00:00", ["API://ORDERS/", "api://squatter"]),
            (tenant, legit, "2026-02-01T00:00:00+00:00", ["api://orders"]),
            (tenant, thief, "2026-04-01T00:00:00+00:00", ["HTTPS://GRAPH.MICROSOFT.COM/"]),
            (tenant, same_app, "2026-05-01T00:00:00+00:00", ["api://two", "api://TWO/"]),
            (other, elsewhere, "2026-06-01T00:00:00+00:00", ["api://Orders"]),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="tenantry.store.migrations"):
        upgrade_database(engine)

    assert _rows(engine, "uri_key") == {
        (SYSTEM_TENANT_ID, GRAPH, graph),
        (tenant, "api://orders", legit),
        (tenant, "api://squatter", squatter),
        (tenant, "api://two", same_app),
        (other, "api://orders", elsewhere),
    }
    with engine.connect() as connection:
        rows = connection.execute(sa.select(applications.c.id, applications.c.document))
        documents = {app: document for app, document in rows}
    assert documents[legit]["identifierUris"] == ["api://orders"]
    assert documents[squatter]["identifierUris"] == ["api://squatter"]
    assert documents[thief]["identifierUris"] == []
    assert documents[same_app]["identifierUris"] == ["api://two", "api://TWO/"]
    assert documents[graph]["identifierUris"] == [GRAPH, GRAPH + "/"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "tenantry.store.migrations"]
    assert len(warnings) == 2, warnings
    assert any("'API://ORDERS/'" in w and squatter in w and legit in w for w in warnings)
    assert any("'HTTPS://GRAPH.MICROSOFT.COM/'" in w and thief in w and "first-party" in w for w in warnings)

    run(engine, "downgrade", "0004")
    exact = _rows(engine, "uri")
    assert {(tenant, "api://two", same_app), (tenant, "api://TWO/", same_app), (tenant, "api://orders", legit)} <= exact
    assert all(app != thief for *_, app in exact)
