"""Control characters in Graph requests are refused at the boundary, alike on SQLite and PostgreSQL (issue 9,
item 2): a NUL in `displayName` was a 500 on PostgreSQL (its text cannot hold NUL) and stored on SQLite.

The rule (`tenantry.common.text`): C0 controls and DEL are 400 `Request_BadRequest` anywhere in a request (JSON
bodies at any depth, property names, the path, query parameters), except TAB, LF and CR in values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from graph.backends import GraphBackend
from graph.helpers import BAD_REQUEST, assert_graph_error
from graph.world import GraphWorld, auth
from support.cli import Run, cli_runner
from support.postgres import fresh_postgres_database, require_postgres

NUL = "\x00"


@pytest.fixture(scope="module")
def world(graph_backend: GraphBackend) -> GraphWorld:
    """The Graph world of the backend under test."""
    return graph_backend.world


@pytest.fixture(scope="module")
def headers(world: GraphWorld) -> dict[str, str]:
    """An app administrator's (app-only) token, in a tenant of this module's own."""
    tenant = world.services.directory.create_tenant("Controls", [f"controls-{uuid.uuid4().hex[:8]}.example"])
    return auth(world.app_token("Application.ReadWrite.All", tenant=tenant))


@pytest.fixture(scope="module")
def app_id(world: GraphWorld, headers: dict[str, str]) -> str:
    """The object id of an app the tests try to change."""
    created = world.http.post("/v1.0/applications", headers=headers, json={"displayName": "Target"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def refused(response: Any, where: str, character: str = NUL) -> None:
    """Graph's 400, naming where the character was and its code point."""
    error = assert_graph_error(response, 400, BAD_REQUEST)
    assert f"'{where}'" in error["message"], error["message"]
    assert f"U+{ord(character):04X}" in error["message"], error["message"]


def test_nul_in_a_new_application_is_refused_and_nothing_is_stored(world: GraphWorld, headers: dict[str, str]) -> None:
    """`POST /applications {"displayName": "a\\u0000b"}`: 400, and no such app on either backend."""
    name = f"nul-{uuid.uuid4().hex[:6]}"
    response = world.http.post("/v1.0/applications", headers=headers, json={"displayName": f"{name}{NUL}b"})
    refused(response, "displayName")
    listed = world.http.get(
        "/v1.0/applications", headers=headers, params={"$filter": f"startswith(displayName,'{name}')"}
    )
    assert listed.status_code == 200 and listed.json()["value"] == []


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/addPassword", {"passwordCredential": {"displayName": f"a{NUL}b"}}, "passwordCredential.displayName"),
        (
            "/addPassword",
            {"passwordCredential": {"customKeyIdentifier": f"{NUL}"}},
            "passwordCredential.customKeyIdentifier",
        ),
        ("", {"displayName": f"a{NUL}b"}, "displayName"),
        ("", {"identifierUris": ["api://ok", f"api://a{NUL}b"]}, "identifierUris[1]"),
        ("", {"web": {"redirectUris": [f"https://a{NUL}b.example/"]}}, "web.redirectUris[0]"),
        ("", {"web": {f"redirect{NUL}Uris": []}}, "web"),
        ("", {f"display{NUL}Name": "x"}, "body"),
    ],
    ids=["addPassword", "customKeyIdentifier", "patch", "identifierUris", "nested", "nested-name", "name"],
)
def test_nul_anywhere_in_a_body_is_refused(
    world: GraphWorld, headers: dict[str, str], app_id: str, path: str, body: dict[str, Any], where: str
) -> None:
    """Bodies of `addPassword` and `PATCH`, at any depth, values and property names alike."""
    method = "POST" if path else "PATCH"
    response = world.http.request(method, f"/v1.0/applications/{app_id}{path}", headers=headers, json=body)
    refused(response, where)


@pytest.mark.parametrize(
    "url",
    [
        "/v1.0/applications?$filter=displayName eq 'a%00b'",
        "/v1.0/servicePrincipals?$filter=startswith(displayName,'%00')",
        "/v1.0/applications?$top=1%00",
        "/v1.0/applications/a%00b",
        "/v1.0/applications(appId='a%00b')",
        "/v1.0/servicePrincipals/a%00b/appRoleAssignedTo",
        "/v1.0/applications?$fil%00ter=x",
    ],
    ids=["filter", "filter-function", "top", "id", "appId", "sp-id", "option-name"],
)
def test_nul_in_the_path_or_query_is_refused(world: GraphWorld, headers: dict[str, str], url: str) -> None:
    """`$filter` literals, other options, ids in the path: 400, never a lookup with a NUL in it."""
    response = world.http.get(url, headers=headers)
    error = assert_graph_error(response, 400, BAD_REQUEST)
    assert "U+0000" in error["message"], error["message"]


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f"])
def test_other_control_characters_are_refused(world: GraphWorld, headers: dict[str, str], character: str) -> None:
    """C0 controls other than TAB/LF/CR, and DEL, are refused like NUL."""
    response = world.http.post("/v1.0/applications", headers=headers, json={"displayName": f"a{character}b"})
    refused(response, "displayName", character)


@pytest.mark.parametrize("character", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_are_text_in_values_but_not_in_names(
    world: GraphWorld, headers: dict[str, str], character: str
) -> None:
    """TAB, LF and CR may be part of a value (free text; a PEM certificate) but not of a property name."""
    name = f"two{character}lines {uuid.uuid4().hex[:6]}"
    created = world.http.post("/v1.0/applications", headers=headers, json={"displayName": name})
    assert created.status_code == 201, created.text
    assert created.json()["displayName"] == name
    response = world.http.post("/v1.0/applications", headers=headers, json={f"display{character}Name": "x"})
    refused(response, "body", character)


def test_refused_before_authentication(world: GraphWorld) -> None:
    """The check runs first: a request with a NUL is a 400 even without a token."""
    response = world.http.post("/v1.0/applications", json={"displayName": NUL})
    assert_graph_error(response, 400, BAD_REQUEST)


@pytest.fixture
def run(graph_backend: GraphBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The CLI over a data directory of the test's own, on the backend under test (a fresh PostgreSQL
    database of its own)."""
    with ExitStack() as stack:
        postgres = graph_backend.name == "postgresql"
        url = stack.enter_context(fresh_postgres_database(require_postgres())) if postgres else None
        yield stack.enter_context(cli_runner(tmp_path / "home", monkeypatch, url))


def test_the_cli_refuses_control_characters_in_arguments(run: Run) -> None:
    """`app create --name "a\x00b"` (possible in-process; a shell cannot pass NUL, but ESC it can) exits 2 with
    one line naming the option and not the value, on both backends; TAB and LF stay allowed in values."""
    assert run("tenant", "create", "--domain", "cli-controls.example", "--name", "Controls").exit_code == 0
    for name in ("a\x00b", "a\x1bb", "a\x7f"):
        result = run("app", "create", "-t", "cli-controls.example", "--name", name)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"error: --name contains the control character U+{ord(name[1]):04X}\n"
    result = run("app", "create", "-t", "cli-controls.example", "--name=two\tcolumns\nand lines", "--json")
    assert result.exit_code == 0, result.output
