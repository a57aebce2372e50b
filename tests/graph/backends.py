"""The Graph suite on both storage backends: `graph_backend` is the session's SQLite world, then a world of
its own on a fresh PostgreSQL database (marker `postgres`: skipped when the server is unreachable, fatal
when TENANTRY_REQUIRE_POSTGRES=1), for tests whose answer must not depend on the backend.

Test modules use it by asking for the `graph_backend` fixture (re-exported by `graph/conftest.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.world import GraphWorld, build_graph_world
from protocol.conftest import BASE_URL, Factory, Sensitive, TestClient
from support.postgres import fresh_postgres_database, require_postgres
from tenantry.app import build_services, create_app
from tenantry.config import Settings

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class GraphBackend:
    """A Graph world and the name of the backend under it."""

    name: str
    world: GraphWorld


@pytest.fixture(scope="module", params=BACKENDS)
def graph_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sensitive: Sensitive
) -> Iterator[GraphBackend]:
    """The session's SQLite world, then one on a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield GraphBackend("sqlite", request.getfixturevalue("graph"))
        return
    home: Path = tmp_path_factory.mktemp("graph-postgresql")
    with fresh_postgres_database(require_postgres()) as url:
        services = build_services(Settings(home=home, database_url=url, public_url=None, secret_key=None))
        try:
            with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as http:
                yield GraphBackend(
                    "postgresql", build_graph_world(services, Factory(services, sensitive), sensitive, http)
                )
        finally:
            services.store.dispose()
