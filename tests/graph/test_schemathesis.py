"""Property-based conformance of the published OpenAPI document (issue 4: "schemathesis finds no 5xx and no
response that breaks the schema"), on SQLite and on PostgreSQL (issue 9: PostgreSQL refuses strings SQLite
stores, so the same request can be a 4xx on one backend and a 5xx on the other).

Schemathesis reads `/v1.0/openapi.json` from the ASGI app in-process and generates requests for every
operation, sent with a Global Administrator's delegated token (`Directory.AccessAsUser.All`) so that
authorization passes and the handlers themselves are exercised. Checks: no server error, and every answer
matches the schema documented for its status. Generated strings may hold NUL and other control characters
(schemathesis' default); on top of that each operation gets a few requests with one planted in a string of
its body, a path parameter or its query, which must be Graph's 400. Few examples per operation keep each
backend well under a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from graph.backends import GraphBackend
from graph.helpers import BAD_REQUEST
from graph.world import GLOBAL_ADMIN, GraphWorld, auth
from protocol.conftest import BASE_URL
from tenantry.app import create_app
from tenantry.common.ids import new_guid

EXAMPLES_PER_OPERATION = 10
PLANTED_PER_OPERATION = 3
CONTROL_CHARACTERS = ("\x00", "\x1b", "\x7f")


@pytest.fixture(scope="module")
def world(graph_backend: GraphBackend) -> GraphWorld:
    """The Graph world of the backend under test."""
    return graph_backend.world


@pytest.fixture(scope="module")
def api_schema(world: GraphWorld) -> Any:
    """The OpenAPI document, loaded over ASGI from a fresh app on the backend's services."""
    return schemathesis.openapi.from_asgi("/v1.0/openapi.json", create_app(world.services, public_url=BASE_URL))


@pytest.fixture(scope="module")
def admin_headers(world: GraphWorld) -> dict[str, str]:
    """A Global Administrator of a tenant of its own (the fuzzer creates and deletes objects there)."""
    tenant = world.services.directory.create_tenant("Fuzzed", [f"fuzz-{new_guid()[:8]}.example"])
    admin = world.new_user("fuzz-admin", GLOBAL_ADMIN, tenant=tenant)
    app = world.new_app("fuzz target", tenant=tenant)
    world.services.apps.add_owner(app, admin.id)
    console = world.services.apps.create_app(tenant.id, "Fuzz console", public_client=True)
    console = world.services.apps.add_permission(
        console, "00000003-0000-0000-c000-000000000000", "Directory.AccessAsUser.All", "Scope"
    )
    world.services.apps.admin_consent(console)
    form = {
        "grant_type": "password",
        "client_id": console.app_id,
        "username": admin.user_principal_name,
        "password": "Graph-Suite-Passw0rd!",
        "scope": "https://graph.microsoft.com/Directory.AccessAsUser.All",
    }
    response = world.http.post(f"/{tenant.id}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    world.sensitive.add(token)
    return auth(token)


def test_openapi_document_is_published(client: Any) -> None:
    """`/v1.0/openapi.json` is OpenAPI 3 with a bearer scheme, the Graph paths, and no 422 (we answer 400)."""
    document = client.get("/v1.0/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/applications", "/applications/{id}/addPassword", "/servicePrincipals", "/organization"} <= set(
        document["paths"]
    )
    assert "/roleManagement/directory/roleAssignments" in document["paths"]
    assert "/auditLogs/directoryAudits" in document["paths"]
    assert {"/users", "/users/{id}", "/me", "/me/changePassword", "/groups", "/groups/{id}/members/$ref"} <= set(
        document["paths"]
    )
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "422" not in str(document["paths"])


def plant(case: Any, character: str) -> bool:
    """Put `character` into the first string of the body, else of a path parameter, else of the query; False
    when the request has no string to hold it."""
    pending: list[Any] = [case.body]
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict | list):
            for key in list(item) if isinstance(item, dict) else range(len(item)):
                if isinstance(item[key], str):
                    item[key] = f"{item[key][:1]}{character}{item[key][1:]}"
                    return True
                pending.append(item[key])
    for parameters in (case.path_parameters, case.query):
        for name, value in (parameters or {}).items():
            if isinstance(value, str):
                parameters[name] = f"{value}{character}"
                return True
    return False


def test_api_conforms_to_its_schema(api_schema: Any, admin_headers: dict[str, str]) -> None:
    """No generated request gets a 5xx, and every answer has the documented shape, for every operation; a
    request with a control character planted in one of its strings is Graph's 400.

    Each operation runs as its own Hypothesis tests (derandomized: the same requests on every run).
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    options: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": list(HealthCheck),
        "derandomize": True,
        "database": None,
    }
    planted = 0

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, **options)
        def conforms(case: Any) -> None:
            response = case.call(headers=admin_headers)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        @given(case=operation.as_strategy(), character=st.sampled_from(CONTROL_CHARACTERS))
        @settings(max_examples=PLANTED_PER_OPERATION, **options)
        def refuses_control_characters(case: Any, character: str) -> None:
            nonlocal planted
            if plant(case, character):
                planted += 1
                response = case.call(headers=admin_headers)
                assert (response.status_code, response.json()["error"]["code"]) == (400, BAD_REQUEST), response.text

        conforms()
        refuses_control_characters()
    assert planted >= len(operations), "most operations take a string somewhere"
