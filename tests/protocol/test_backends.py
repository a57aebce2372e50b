"""Hostile request values must not depend on the storage backend: SQLite and PostgreSQL answer alike.

PostgreSQL refuses some strings SQLite stores happily (NUL characters in text). A request value that
reaches a query unfiltered must still end in a 4xx, never in a 500. The PostgreSQL half needs the
server (marker `postgres`: skipped when unreachable, fatal when TENANTRY_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.postgres import fresh_postgres_database, require_postgres
from tenantry.app import build_services, create_app
from tenantry.config import Settings

from .conftest import BASE_URL, Client, Factory, Sensitive, TestClient, TokenPoster, assert_entra_error, secret_form

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
API_URI = "api://backend/api"


@dataclass(frozen=True)
class Backend:
    """A running app on one storage backend, with one API and one confidential client."""

    token: TokenPoster
    client: Client
    path: str


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sensitive: Sensitive
) -> Iterator[Backend]:
    """The app on SQLite, then on a fresh PostgreSQL database that is dropped afterwards."""
    home: Path = tmp_path_factory.mktemp(f"backend-{request.param}")
    with ExitStack() as stack:
        database_url = (
            stack.enter_context(fresh_postgres_database(require_postgres())) if request.param == "postgresql" else None
        )
        yield from _backend_on(home, database_url, sensitive)


def _backend_on(home: Path, database_url: str | None, sensitive: Sensitive) -> Iterator[Backend]:
    services = build_services(Settings(home=home, database_url=database_url))
    try:
        factory = Factory(services, sensitive)
        tenant = factory.tenant("Backend", ["backend.example"])
        factory.api(tenant, "Backend API", API_URI)
        client = factory.client(tenant, "Backend daemon")
        with TestClient(
            create_app(services, public_url=BASE_URL), base_url=BASE_URL, raise_server_exceptions=False
        ) as http:
            yield Backend(TokenPoster(http, sensitive), client, f"/{tenant.id}/oauth2/v2.0/token")
    finally:
        services.store.engine.dispose()


def test_backend_issues_tokens(backend: Backend) -> None:
    """The baseline: a valid client-credentials request succeeds on this backend."""
    response = backend.token(backend.path, secret_form(backend.client, scope=f"{API_URI}/.default"))
    assert response.status_code == 200, response.text


def test_nul_in_a_parameter_is_a_client_error(backend: Backend) -> None:
    """A NUL in any parameter is refused as malformed (AADSTS90100) on every backend, never a 500: PostgreSQL
    text cannot hold it, so it must not reach a query."""
    response = backend.token(backend.path, secret_form(backend.client, scope="api://a\x00b/.default"))
    assert_entra_error(response, 90100, 400, "invalid_request")
