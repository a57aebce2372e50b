"""Managed identities as a new user meets them (issue 13 §4): a fresh data directory, `tenantry serve` on a
free port of 127.0.0.1, `tenantry identity create --json` run as its own process, and then **unmodified**
`DefaultAzureCredential()` (Python, in a child process whose only configuration is the printed environment)
getting tokens for Microsoft Graph and for a tenant API through the App Service endpoint and the IMDS shape.
The tokens are used: Graph answers the identity with what its app role allows. Wrong or missing secrets
get the statuses and bodies azure-identity reads, and a secret never yields another identity's token.
"""

from __future__ import annotations

import gc
import json
import os
import ssl
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from compat.azure_identity_node import ensure_azure_identity, node_default_credential
from support.live_server import LiveServer, free_port, server_environment
from support.npm import NodeUnavailableError, node_required
from support.tokens import decode_unverified
from tenantry.app import Services, build_services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import ServicePrincipal
from tenantry.config import Settings
from tenantry.directory.models import Tenant
from tenantry.signins.models import EventType, SignInEntry, SignInQuery

pytestmark = pytest.mark.compat

DOMAIN = "mi.contoso.example"
API_URI = "api://inventory"
CLIENT_TIMEOUT = 120


@pytest.fixture(autouse=True)
def log_guard() -> Iterator[None]:
    """The secrets to guard are in the server's output, which `mi_world` checks when it stops."""
    yield


@dataclass(frozen=True)
class MiWorld:
    """The running server, services on its database, its tenant and a tenant API with an app role."""

    server: LiveServer
    services: Services
    tenant: Tenant
    api_role_id: str


@pytest.fixture(scope="module")
def mi_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MiWorld]:
    """A tenant with an API (`api://inventory`, app role `Inventory.Read`) behind a live server."""
    home: Path = tmp_path_factory.mktemp("tenantry-mi")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    tenant = services.directory.create_tenant("MI Contoso", [DOMAIN])
    api = services.apps.create_app(tenant.id, "Inventory API", identifier_uris=(API_URI,))
    role = services.apps.add_app_role(api, "Inventory.Read")
    server = LiveServer(home, free_port())
    server.start()
    try:
        yield MiWorld(server, services, tenant, role.id)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()
    output = server.output()
    assert "GET /msi/<redacted>" in output, "the IMDS path secret must be redacted in the access log"
    leaks = server.guard.leaks(output)
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


def create_identity(world: MiWorld, name: str, *, user_assigned: bool = False) -> dict[str, Any]:
    """`tenantry identity create --json` as its own process, as a new user runs it."""
    command = [sys.executable, "-m", "tenantry", "identity", "create", "--tenant", DOMAIN, "--name", name, "--json"]
    if user_assigned:
        command.append("--user-assigned")
    done = subprocess.run(
        command, env=server_environment(world.server.home), capture_output=True, text=True, check=True, timeout=60
    )
    created: dict[str, Any] = json.loads(done.stdout)
    for variable in ("IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST"):
        world.server.guard.watch(f"{name} {variable}", created["environment"][variable])
    return created


def grant(world: MiWorld, identity: dict[str, Any], resource_app_id: str, role_id: str) -> None:
    """An app role of the resource's service principal to the identity's service principal."""
    sp = find_sp(world, resource_app_id)
    assert sp is not None
    world.services.apps.assign_app_role(sp, identity["principalId"], role_id)


def find_sp(world: MiWorld, app_id: str) -> ServicePrincipal | None:
    """The tenant's service principal of an appId, read straight from the store."""
    with world.services.store.transaction() as unit:
        return unit.find_service_principal_by_app_id(world.tenant.id, app_id)


def graph_role_id(world: MiWorld, value: str) -> str:
    """The id of one of Microsoft Graph's application permissions."""
    graph = world.services.apps.find_app(GRAPH_APP_ID)
    assert graph is not None
    return next(r.id for r in graph.app_roles if r.value == value)


CLIENT = textwrap.dedent(
    """
    import json, sys
    from azure.identity import DefaultAzureCredential
    credential = DefaultAzureCredential()
    print(json.dumps([credential.get_token(scope).token for scope in sys.argv[1:]]))
    """
)


def client_environment(world: MiWorld, variables: dict[str, str]) -> dict[str, str]:
    """The child's environment: nothing Azure or Tenantry of the developer's, the server's CA, the variables."""
    keep = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TENANTRY_", "AZURE_", "IDENTITY_", "MSI_", "IMDS_")) and "proxy" not in name.lower()
    }
    ca = str(world.server.ca_path)
    return {**keep, "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca, "NO_PROXY": "*", **variables}


def python_tokens(world: MiWorld, variables: dict[str, str], *scopes: str) -> list[str]:
    """Tokens from unmodified `DefaultAzureCredential()` in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, *scopes],
        env=client_environment(world, variables),
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    tokens: list[str] = json.loads(done.stdout)
    for index, token in enumerate(tokens):
        world.server.guard.watch(f"token {index}", token)
    return tokens


def app_service(created: dict[str, Any]) -> dict[str, str]:
    """The App Service pair (and AZURE_CLIENT_ID for a user-assigned identity)."""
    env = created["environment"]
    return {k: v for k, v in env.items() if k != "AZURE_POD_IDENTITY_AUTHORITY_HOST"}


def imds(created: dict[str, Any]) -> dict[str, str]:
    """The IMDS host alone (and AZURE_CLIENT_ID for a user-assigned identity)."""
    env = created["environment"]
    return {k: v for k, v in env.items() if k not in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER")}


def check_claims(claims: dict[str, Any], created: dict[str, Any], audience: str) -> None:
    """Entra's managed identity claims: app-only, the service principal, its appId, its resource id."""
    assert claims["aud"] == audience
    assert claims["idtyp"] == "app"
    assert claims["oid"] == claims["sub"] == created["principalId"]
    assert claims.get("appid", claims.get("azp")) == created["clientId"]
    assert claims["xms_mirid"] == created["id"]
    assert claims["tid"] == created["tenantId"]


def test_create_prints_the_running_servers_environment(mi_world: MiWorld) -> None:
    """URLs on the recorded public URL (the free port, not a default); the identity is a Graph service
    principal of type ManagedIdentity with no application behind it."""
    created = create_identity(mi_world, "printer")
    env, base = created["environment"], mi_world.server.base_url
    assert env["IDENTITY_ENDPOINT"] == f"{base}/msi/token"
    assert env["AZURE_POD_IDENTITY_AUTHORITY_HOST"].startswith(f"{base}/msi/")
    assert env["IDENTITY_HEADER"] not in env["AZURE_POD_IDENTITY_AUTHORITY_HOST"]
    assert "AZURE_CLIENT_ID" not in env and created["type"] == "SystemAssigned"
    sp = find_sp(mi_world, created["clientId"])
    assert sp is not None and sp.service_principal_type == "ManagedIdentity"
    assert mi_world.services.apps.find_app(created["clientId"]) is None


def test_system_assigned_app_service_graph_and_tenant_api(mi_world: MiWorld) -> None:
    """DefaultAzureCredential() with IDENTITY_ENDPOINT + IDENTITY_HEADER: a Graph token that Graph accepts
    (the identity reads service principals with Application.Read.All) and a token for the tenant's API with
    the app role granted to the identity."""
    created = create_identity(mi_world, "web-app")
    grant(mi_world, created, GRAPH_APP_ID, graph_role_id(mi_world, "Application.Read.All"))
    api = mi_world.services.apps.find_app(API_URI, mi_world.tenant.id)
    assert api is not None
    grant(mi_world, created, api.app_id, mi_world.api_role_id)
    graph_token, api_token = python_tokens(
        mi_world, app_service(created), "https://graph.microsoft.com/.default", f"{API_URI}/.default"
    )
    check_claims(decode_unverified(graph_token).claims, created, "https://graph.microsoft.com")
    api_claims = decode_unverified(api_token).claims
    check_claims(api_claims, created, API_URI)
    assert api_claims["roles"] == ["Inventory.Read"]
    with httpx.Client(verify=ssl.create_default_context(cafile=mi_world.server.ca_path)) as http:
        answer = http.get(
            f"{mi_world.server.base_url}/v1.0/servicePrincipals/{created['principalId']}",
            headers={"Authorization": f"Bearer {graph_token}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["servicePrincipalType"] == "ManagedIdentity"
        listed = http.get(
            f"{mi_world.server.base_url}/v1.0/servicePrincipals",
            params={"$filter": "servicePrincipalType eq 'ManagedIdentity'"},
            headers={"Authorization": f"Bearer {graph_token}"},
        )
    assert listed.status_code == 200, listed.text
    names = {sp["displayName"] for sp in listed.json()["value"]}
    assert "web-app" in names and "Inventory API" not in names
    entries = logged_sign_ins(mi_world, created["clientId"], 2)
    assert {e.event_type for e in entries} == {EventType.MANAGED_IDENTITY}
    assert {e.resource_id for e in entries} == {GRAPH_APP_ID, api.app_id}
    assert all(e.service_principal_id == created["principalId"] and e.succeeded for e in entries)


def logged_sign_ins(world: MiWorld, client_id: str, count: int) -> list[SignInEntry]:
    """The identity's sign-in log entries, once the server's writer thread has stored `count` of them."""
    query = SignInQuery(world.tenant.id, app_id=client_id)
    deadline = time.monotonic() + 10
    while True:
        entries = world.services.sign_ins.list(query)
        if len(entries) >= count or time.monotonic() > deadline:
            return entries
        time.sleep(0.2)


def test_user_assigned_imds(mi_world: MiWorld) -> None:
    """DefaultAzureCredential() with AZURE_POD_IDENTITY_AUTHORITY_HOST and AZURE_CLIENT_ID: IMDS shape."""
    created = create_identity(mi_world, "worker", user_assigned=True)
    assert created["environment"]["AZURE_CLIENT_ID"] == created["clientId"]
    assert "userAssignedIdentities" in created["id"]
    (token,) = python_tokens(mi_world, imds(created), f"{API_URI}/.default")
    check_claims(decode_unverified(token).claims, created, API_URI)


def test_user_assigned_app_service_by_appid_resource(mi_world: MiWorld) -> None:
    """A user-assigned identity through App Service (client_id sent), for the API named by its appId (v1
    token: the audience is what was asked for)."""
    created = create_identity(mi_world, "batch", user_assigned=True)
    api = mi_world.services.apps.find_app(API_URI, mi_world.tenant.id)
    assert api is not None
    (token,) = python_tokens(mi_world, app_service(created), f"{api.app_id}/.default")
    check_claims(decode_unverified(token).claims, created, api.app_id)


def raw_get(world: MiWorld, path: str, params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    """One request to the identity endpoints, as a hand-written client would send it."""
    with httpx.Client(verify=ssl.create_default_context(cafile=world.server.ca_path)) as http:
        return http.get(f"{world.server.base_url}{path}", params=params, headers=headers)


APP_SERVICE_QUERY = {"api-version": "2019-08-01", "resource": "https://graph.microsoft.com"}


def test_app_service_refusals(mi_world: MiWorld) -> None:
    """Missing header 400, wrong secret 401, another identity named by the selector 400, unknown resource
    400: each in App Service's `{statusCode, message}`, which azure-identity reads as "unavailable"."""
    first = create_identity(mi_world, "refusals-a")
    other = create_identity(mi_world, "refusals-b", user_assigned=True)
    header = first["environment"]["IDENTITY_HEADER"]
    cases = [
        ({}, APP_SERVICE_QUERY, 400),
        ({"X-IDENTITY-HEADER": header[:-2] + "xx"}, APP_SERVICE_QUERY, 401),
        ({"X-IDENTITY-HEADER": header}, {**APP_SERVICE_QUERY, "client_id": other["clientId"]}, 400),
        ({"X-IDENTITY-HEADER": header}, {**APP_SERVICE_QUERY, "object_id": other["principalId"]}, 400),
        ({"X-IDENTITY-HEADER": header}, {**APP_SERVICE_QUERY, "mi_res_id": other["id"]}, 400),
        ({"X-IDENTITY-HEADER": header}, {**APP_SERVICE_QUERY, "resource": "api://nothing"}, 400),
        ({"X-IDENTITY-HEADER": header}, {**APP_SERVICE_QUERY, "api-version": "2017-09-01"}, 400),
    ]
    for headers, params, status in cases:
        answer = raw_get(mi_world, "/msi/token", params, headers)
        assert answer.status_code == status, (params, answer.text)
        body = answer.json()
        assert body["statusCode"] == status and body["message"]
        assert "access_token" not in body


def test_imds_refusals(mi_world: MiWorld) -> None:
    """No `Metadata: true` 400, a wrong path secret 400 (never 404: azure-identity would retry), another
    identity's client id 400; IMDS's `{error, error_description}`."""
    first = create_identity(mi_world, "imds-a")
    other = create_identity(mi_world, "imds-b", user_assigned=True)
    host = first["environment"]["AZURE_POD_IDENTITY_AUTHORITY_HOST"]
    path = host.removeprefix(mi_world.server.base_url) + "/metadata/identity/oauth2/token"
    wrong = path.replace("/msi/", "/msi/x")
    query = {"api-version": "2018-02-01", "resource": "https://graph.microsoft.com"}
    cases = [
        (path, {}, query),
        (wrong, {"Metadata": "true"}, query),
        (path, {"Metadata": "true"}, {**query, "client_id": other["clientId"]}),
    ]
    for target, headers, params in cases:
        answer = raw_get(mi_world, target, params, headers)
        assert answer.status_code == 400, answer.text
        assert set(answer.json()) == {"error", "error_description"}
    ok = raw_get(mi_world, path, query, {"Metadata": "true"})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    mi_world.server.guard.watch("imds token", body["access_token"])
    assert isinstance(body["expires_in"], str) and isinstance(body["expires_on"], str)
    assert body["resource"] == "https://graph.microsoft.com" and body["token_type"] == "Bearer"


@pytest.fixture(scope="module")
def azure_identity_node() -> Path:
    """@azure/identity installed with npm (skipped without Node.js unless TENANTRY_REQUIRE_NODE=1)."""
    try:
        return ensure_azure_identity()
    except NodeUnavailableError as exc:
        if node_required():
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def node_tokens(world: MiWorld, module_dir: Path, variables: dict[str, str], *scopes: str) -> list[str]:
    """Tokens from unmodified `new DefaultAzureCredential()` in Node.js, trusting the server's CA."""
    env = {**client_environment(world, variables), "NODE_EXTRA_CA_CERTS": str(world.server.ca_path)}
    answer = node_default_credential(module_dir, env, *scopes)
    assert "tokens" in answer, answer
    tokens: list[str] = answer["tokens"]
    for index, token in enumerate(tokens):
        world.server.guard.watch(f"node token {index}", token)
    return tokens


def test_node_default_credential_app_service(mi_world: MiWorld, azure_identity_node: Path) -> None:
    """`new DefaultAzureCredential()` in Node.js, App Service variables only: Graph and the tenant API."""
    created = create_identity(mi_world, "node-web")
    api = mi_world.services.apps.find_app(API_URI, mi_world.tenant.id)
    assert api is not None
    grant(mi_world, created, api.app_id, mi_world.api_role_id)
    graph_token, api_token = node_tokens(
        mi_world,
        azure_identity_node,
        app_service(created),
        "https://graph.microsoft.com/.default",
        f"{API_URI}/.default",
    )
    check_claims(decode_unverified(graph_token).claims, created, "https://graph.microsoft.com")
    api_claims = decode_unverified(api_token).claims
    check_claims(api_claims, created, API_URI)
    assert api_claims["roles"] == ["Inventory.Read"]


def test_node_default_credential_user_assigned(mi_world: MiWorld, azure_identity_node: Path) -> None:
    """A user-assigned identity through App Service in Node.js (AZURE_CLIENT_ID passed on as client_id)."""
    created = create_identity(mi_world, "node-worker", user_assigned=True)
    (token,) = node_tokens(mi_world, azure_identity_node, app_service(created), f"{API_URI}/.default")
    check_claims(decode_unverified(token).claims, created, API_URI)


def test_node_default_credential_imds(mi_world: MiWorld, azure_identity_node: Path) -> None:
    """`new DefaultAzureCredential()` in Node.js with AZURE_POD_IDENTITY_AUTHORITY_HOST alone (IMDS shape)."""
    created = create_identity(mi_world, "node-vm")
    (token,) = node_tokens(mi_world, azure_identity_node, imds(created), "https://graph.microsoft.com/.default")
    check_claims(decode_unverified(token).claims, created, "https://graph.microsoft.com")
