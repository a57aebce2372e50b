"""Every CLI option that names an application (`--id`, and `--api` of `app permission add`) accepts its
appId, its object id or one of its App ID URIs, through the lookup the services use (apps/references.py);
when nothing answers, one line on stderr says what was tried."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tenantry.app import build_services
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.models import Application
from tenantry.config import Settings

from .conftest import Run

DOMAIN = "refs.example"
OTHER_DOMAIN = "other-refs.example"
PASSWORD = "Correct-Horse-Battery-9"


@dataclass(frozen=True)
class World:
    """A tenant with an API (`api://orders`, app role and scope `Orders.Read`) and a client
    (`api://client`) owned by bob, with one secret; ada is a user who owns nothing."""

    tenant_id: str
    api: Application
    client: Application
    secret_key_id: str


@pytest.fixture
def world(home: Path) -> World:
    services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("References", [DOMAIN])
        api = services.apps.create_app(tenant.id, "Orders", identifier_uris=("api://orders",))
        services.apps.add_app_role(api, "Orders.Read")
        services.apps.add_scope(services.apps.get_app(api.app_id), "Orders.Read")  # writes the app it is given
        api = services.apps.get_app(api.app_id)
        client = services.apps.create_app(tenant.id, "Client", identifier_uris=("api://client",))
        services.users.create_user(tenant.id, f"ada@{DOMAIN}", PASSWORD)
        bob = services.users.create_user(tenant.id, f"bob@{DOMAIN}", PASSWORD)
        services.apps.add_owner(client, bob.id)
        secret = services.credentials.add_secret(client, "existing")
        return World(tenant.id, api, client, secret.credential.key_id)
    finally:
        services.store.dispose()


def _forms(app: Application, uri: str) -> dict[str, str]:
    """The three ways to name `app`; the URI spelled as nobody registered it (case, trailing slash)."""
    return {"appId": app.app_id, "object id": app.id, "App ID URI": uri.upper() + "/"}


# (command words, options before the reference, the option taking it, options after, what the reference names)
CASES: list[tuple[str, tuple[str, ...], str, tuple[str, ...], str]] = [
    ("app show", (), "--id", ("--json",), "client"),
    ("app update", (), "--id", ("--display-name", "Renamed", "--json"), "client"),
    ("app role create", (), "--id", ("--value", "Orders.Write", "--json"), "api"),
    ("app scope create", (), "--id", ("--value", "Orders.Write", "--json"), "api"),
    ("app permission add", ("--api", "{api}", "--permission", "Orders.Read"), "--id", ("--json",), "client"),
    ("app permission add", ("--id", "{client}", "--permission", "Orders.Read"), "--api", ("--json",), "api"),
    ("app permission admin-consent", (), "--id", ("--json",), "client"),
    ("app credential reset", ("--append",), "--id", ("--json",), "client"),
    ("app credential list", (), "--id", ("--json",), "client"),
    ("app credential delete", ("--key-id", "{key_id}"), "--id", ("--json",), "client"),
    ("app owner add", ("--user", f"ada@{DOMAIN}"), "--id", ("--json",), "client"),
    ("app owner list", (), "--id", ("--json",), "client"),
    ("app owner remove", ("--user", f"bob@{DOMAIN}"), "--id", ("--json",), "client"),
    ("sp update", ("--assignment-required",), "--id", ("--json",), "api"),
    ("sp update", ("--tenant", DOMAIN, "--assignment-required"), "--id", ("--json",), "api"),
]


def _fill(words: tuple[str, ...], world: World) -> list[str]:
    values = {"api": world.api.app_id, "client": world.client.app_id, "key_id": world.secret_key_id}
    return [w.format(**values) for w in words]


def _check(command: str, output: Any, target: Application, world: World) -> None:
    """What the command printed is about `target`, where its output says so."""
    if command in ("app show", "app update", "app credential reset", "sp update"):
        assert output["appId"] == target.app_id
    elif command == "app permission add":
        assert output == [
            {
                "resourceAppId": world.api.app_id,
                "resourceAccess": [{"id": world.api.app_roles[0].id, "type": "Role"}],
            }
        ]
    elif command == "app owner list":
        assert [o["userPrincipalName"] for o in output] == [f"bob@{DOMAIN}"]
    elif command == "app credential list":
        assert [c["keyId"] for c in output] == [world.secret_key_id]


@pytest.mark.parametrize("form", ["appId", "object id", "App ID URI"])
@pytest.mark.parametrize(
    ("command", "before", "option", "after", "names"), CASES, ids=[f"{c[0]} {c[2]}" for c in CASES]
)
def test_every_app_option_takes_every_form(
    run: Run,
    world: World,
    command: str,
    before: tuple[str, ...],
    option: str,
    after: tuple[str, ...],
    names: str,
    form: str,
) -> None:
    target = world.api if names == "api" else world.client
    reference = _forms(target, f"api://{'orders' if names == 'api' else 'client'}")[form]
    result = run(*command.split(), *_fill(before, world), option, reference, *after)
    _check(command, json.loads(result.stdout), target, world)


def test_api_names_microsoft_graph_by_app_id_or_uri(run: Run, world: World) -> None:
    """First-party apps resolve too: Graph by its appId or `https://graph.microsoft.com` (any spelling)."""
    for api in (GRAPH_APP_ID, GRAPH_URI, "HTTPS://graph.microsoft.com/"):
        args = ("--id", world.client.app_id, "--api", api, "--permission", "User.Read", "--type", "Scope")
        added = json.loads(run("app", "permission", "add", *args, "--json").stdout)
        assert [entry["resourceAppId"] for entry in added] == [GRAPH_APP_ID]
    shown = json.loads(run("app", "show", "--id", GRAPH_URI, "--json").stdout)
    assert shown["appId"] == GRAPH_APP_ID


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("app", "show", "--id", "9d1c4a43-0000-4000-8000-000000000000"),
            "error: no application has the appId or object id '9d1c4a43-0000-4000-8000-000000000000'",
        ),
        (
            ("app", "show", "--id", "api://nothing"),
            "error: no application has the appId, object id or App ID URI 'api://nothing' (not a GUID; no App ID "
            "URI of any tenant or of a first-party app matches, ignoring case and one trailing slash)",
        ),
        (
            ("app", "permission", "add", "--id", "{client}", "--api", "api://nothing", "--permission", "X"),
            "error: no application has the appId, object id or App ID URI 'api://nothing' (not a GUID; no App ID "
            "URI of tenant '{tenant}' or of a first-party app matches, ignoring case and one trailing slash)",
        ),
        (
            ("sp", "update", "--id", "api://nothing", "--tenant", DOMAIN, "--enabled"),
            "error: no application has the appId, object id or App ID URI 'api://nothing' (not a GUID; no App ID "
            "URI of tenant '{tenant}' or of a first-party app matches, ignoring case and one trailing slash)",
        ),
    ],
    ids=["GUID", "URI", "--api in the client's tenant", "sp update --tenant"],
)
def test_nothing_found_is_one_line_naming_what_was_tried(
    run: Run, world: World, args: tuple[str, ...], message: str
) -> None:
    filled = [a.format(client=world.client.app_id) for a in args]
    result = run(*filled, ok=False)
    assert result.exit_code == 1
    assert result.stderr == message.format(tenant=world.tenant_id) + "\n"


def test_a_uri_in_two_tenants_needs_a_tenant_or_an_app_id(run: Run, world: World, home: Path) -> None:
    """App ID URIs are unique per tenant: without a tenant to scope it, a shared one is refused; `--api`
    resolves it in the client's tenant."""
    services = build_services(Settings(home=home))
    try:
        other = services.directory.create_tenant("Other", [OTHER_DOMAIN])
        twin = services.apps.create_app(other.id, "Orders elsewhere", identifier_uris=("api://orders",))
    finally:
        services.store.dispose()
    refused = run("app", "show", "--id", "api://orders", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: the App ID URI 'api://orders' is used in several tenants (")
    assert world.tenant_id in refused.stderr and twin.tenant_id in refused.stderr
    args = ("--id", world.client.app_id, "--api", "api://orders", "--permission", "Orders.Read")
    added = json.loads(run("app", "permission", "add", *args, "--json").stdout)
    assert [entry["resourceAppId"] for entry in added] == [world.api.app_id]
    updated = json.loads(
        run("sp", "update", "--id", "api://orders", "--tenant", OTHER_DOMAIN, "--disabled", "--json").stdout
    )
    assert (updated["appId"], updated["accountEnabled"]) == (twin.app_id, False)
