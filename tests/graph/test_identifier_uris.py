"""App ID URIs (`identifierUris`) are unique per tenant ignoring case and one trailing slash, and first-party
URIs are reserved everywhere (issue 9, item 5), on both storage backends.

With `api://orders` taken, another app of the tenant could register `api://ORDERS`, `api://orders/` or even
`https://graph.microsoft.com`, and `api://ORDERS/.default` then gave tokens for the squatter. Graph answers a
conflict as Entra does (400 `Request_BadRequest`, "Another object with the same value for property
identifierUris already exists."); the CLI says it in its own words on one line and exits 1.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.backends import GraphBackend
from graph.helpers import BAD_REQUEST, assert_graph_error
from graph.world import GraphWorld, auth
from support.cli import Run, cli_runner
from support.tokens import decode_unverified
from tenantry.apps.first_party import GRAPH_URI
from tenantry.directory.models import Tenant

ENTRA_MESSAGE = "Another object with the same value for property identifierUris already exists."
SQUATS = ("api://{name}/", "api://{NAME}", "API://{Name}", "Api://{NAME}/")
FIRST_PARTY = (GRAPH_URI, GRAPH_URI + "/", GRAPH_URI.upper())


def fresh_name() -> str:
    """A host part no other test uses, so one world serves every case."""
    return f"orders-{uuid.uuid4().hex[:8]}"


def spelt(template: str, name: str) -> str:
    """`template` with `{name}` as given, `{NAME}` upper-cased and `{Name}` capitalised."""
    return template.format(name=name, NAME=name.upper(), Name=name.capitalize())


class Admin:
    """Graph calls as a tenant's app administrator (an app-only token with Application.ReadWrite.All)."""

    def __init__(self, world: GraphWorld, tenant: Tenant) -> None:
        self.http = world.http
        self.headers = auth(world.app_token("Application.ReadWrite.All", tenant=tenant))

    def create(self, *uris: str) -> Any:
        """`POST /applications` exposing `uris`."""
        body = {"displayName": "URI test", "identifierUris": list(uris)}
        return self.http.post("/v1.0/applications", headers=self.headers, json=body)

    def patch(self, object_id: str, *uris: str) -> Any:
        """`PATCH /applications/{id}` setting `identifierUris`."""
        body = {"identifierUris": list(uris)}
        return self.http.patch(f"/v1.0/applications/{object_id}", headers=self.headers, json=body)


@pytest.fixture(scope="module")
def world(graph_backend: GraphBackend) -> GraphWorld:
    """The Graph world of the backend under test."""
    return graph_backend.world


def own_tenant(world: GraphWorld, name: str) -> Tenant:
    """A tenant of this module's own (the shared ones keep their app count)."""
    return world.services.directory.create_tenant(name, [f"{name.lower()}-{uuid.uuid4().hex[:8]}.example"])


@pytest.fixture(scope="module")
def tenant(world: GraphWorld) -> Tenant:
    """The tenant where `api://orders-…` is taken."""
    return own_tenant(world, "Uris")


@pytest.fixture(scope="module")
def admin(world: GraphWorld, tenant: Tenant) -> Admin:
    """Administrator of `tenant`."""
    return Admin(world, tenant)


@pytest.fixture(scope="module")
def other_admin(world: GraphWorld) -> Admin:
    """Administrator of another tenant."""
    return Admin(world, own_tenant(world, "Elsewhere"))


def assert_taken(response: Any) -> None:
    """Entra's answer to a taken App ID URI."""
    error = assert_graph_error(response, 400, BAD_REQUEST)
    assert error["message"] == ENTRA_MESSAGE


@pytest.mark.parametrize("template", SQUATS)
def test_a_variant_of_a_taken_uri_is_refused_in_the_tenant_and_free_in_another(
    admin: Admin, other_admin: Admin, template: str
) -> None:
    """`api://orders` taken: its case and trailing-slash variants are refused on POST in the same tenant, and
    another tenant may register them."""
    name = fresh_name()
    assert admin.create(f"api://{name}").status_code == 201
    squat = spelt(template, name)
    assert_taken(admin.create(squat))
    assert other_admin.create(squat).status_code == 201


@pytest.mark.parametrize("uri", FIRST_PARTY)
def test_first_party_uris_are_reserved_in_every_tenant(admin: Admin, other_admin: Admin, uri: str) -> None:
    """Microsoft Graph's URI, however spelt, cannot be claimed by any tenant's app."""
    assert_taken(admin.create(uri))
    assert_taken(other_admin.create(uri))


def test_a_uri_longer_than_256_characters_is_refused(admin: Admin) -> None:
    """The store keeps a URI's key in 512 characters (PostgreSQL enforces it, SQLite does not): App ID URIs
    are at most 256 characters, which even lower-casing cannot double past that, so a longer one is a 400 on
    both backends, not a 500 on one."""
    longest = f"api://{fresh_name()}/" + "İ" * 200
    longest += "x" * (256 - len(longest))
    assert admin.create(longest).status_code == 201
    error = assert_graph_error(admin.create(longest + "x"), 400, BAD_REQUEST)
    assert "at most 256 characters" in error["message"]


def test_patch_adding_a_taken_uri_is_refused_and_changes_nothing(admin: Admin) -> None:
    """A PATCH adding a variant of another app's URI (or a first-party one) is refused; the app keeps its list,
    and it may still list two spellings of a URI of its own."""
    name = fresh_name()
    assert admin.create(f"api://{name}").status_code == 201
    mine = admin.create(f"api://{name}-mine").json()
    for squat in (f"api://{name.upper()}/", "https://graph.microsoft.com/"):
        assert_taken(admin.patch(mine["id"], f"api://{name}-mine", squat))
    got = admin.http.get(f"/v1.0/applications/{mine['id']}", headers=admin.headers).json()
    assert got["identifierUris"] == [f"api://{name}-mine"]
    assert admin.patch(mine["id"], f"api://{name}-mine", f"API://{name}-MINE/").status_code == 204


def test_a_variant_scope_yields_tokens_for_the_legitimate_app(world: GraphWorld, tenant: Tenant, admin: Admin) -> None:
    """`api://ORDERS/.default` (and `api://orders//.default`) resolve to the owner of `api://orders`: the
    token's audience is that app (a v2 API: `aud` is its appId) with the role granted on it."""
    name = fresh_name()
    legit = world.factory.api(tenant, "Orders", f"api://{name}", version=2, roles=("Orders.Read",))
    daemon = world.factory.client(tenant, "Orders daemon", roles={legit.app_id: ("Orders.Read",)})
    assert_taken(admin.create(f"api://{name.upper()}"))
    assert daemon.secret is not None
    for scope in (f"api://{name.upper()}/.default", f"API://{name}//.default"):
        form = {
            "grant_type": "client_credentials",
            "client_id": daemon.client_id,
            "client_secret": daemon.secret,
            "scope": scope,
        }
        response = world.http.post(world.token_url(tenant), data=form)
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        world.sensitive.add(token)
        claims = decode_unverified(token).claims
        assert (claims["aud"], claims["roles"]) == (legit.app_id, ["Orders.Read"])


# --- The CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The CLI over a data directory of the test's own (SQLite)."""
    with cli_runner(tmp_path / "home", monkeypatch) as invoke:
        yield invoke


def test_the_cli_refuses_a_taken_uri_in_one_line(run: Run) -> None:
    """`app create --identifier-uri` and `app update --identifier-uri` with a variant of a taken URI, or with
    Graph's, exit 1 with one line on stderr saying why in Tenantry's words, and no traceback."""
    tenant = ("-t", "cli-uris.example")
    assert run("tenant", "create", "--domain", "cli-uris.example", "--name", "URIs").exit_code == 0
    assert run("app", "create", *tenant, "-n", "Orders", "--identifier-uri", "api://orders").exit_code == 0
    other = run("app", "create", *tenant, "-n", "Other", "--json")
    assert other.exit_code == 0, other.output
    other_id = json.loads(other.stdout)["appId"]
    taken = "is already used by another app of this tenant (appId "
    attempts = [
        (("app", "create", *tenant, "-n", "Squatter", "--identifier-uri", "API://Orders/"), taken),
        (("app", "update", "--id", other_id, "--identifier-uri", "api://ORDERS"), taken),
        (
            ("app", "create", *tenant, "-n", "Graph", "--identifier-uri", GRAPH_URI + "/"),
            "is reserved for a first-party",
        ),
    ]
    for args, words in attempts:
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.stdout == ""
        assert result.stderr.startswith("error: the App ID URI '") and words in result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
    shown = json.loads(run("app", "show", "--id", other_id, "--json").stdout)
    assert shown["identifierUris"] == []
    renamed = run("app", "update", "--id", other_id, "--identifier-uri", "api://other", "--display-name", "Other 2")
    assert renamed.exit_code == 0, renamed.output
    shown = json.loads(run("app", "show", "--id", "API://OTHER/", "--json").stdout)
    assert (shown["displayName"], shown["identifierUris"]) == ("Other 2", ["api://other"])
