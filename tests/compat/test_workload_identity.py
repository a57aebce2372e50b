"""Workload identity federation as a new user meets it (issue 13 §5): a fresh data directory, `tenantry serve`
on a free port of 127.0.0.1, an OpenID Connect issuer of the test's own on another (HTTPS, its CA trusted by
the server through SSL_CERT_FILE), the federated credential made with `tenantry app federated-credential
create` as its own process, and then **unmodified** azure-identity — `WorkloadIdentityCredential()` and
`DefaultAzureCredential()` configured only by AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE and
AZURE_AUTHORITY_HOST — getting tokens, the same federated token presented more than once. Each refusal
carries Entra's code.
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
from support.oidc_issuer import FakeIssuer, SigningKey, running_issuer
from support.tokens import decode_unverified
from tenantry.app import Services, build_services
from tenantry.apps.models import Application
from tenantry.config import Settings
from tenantry.directory.models import Tenant

pytestmark = pytest.mark.compat

DOMAIN = "wif.contoso.example"
SUBJECT = "repo:contoso/inventory:ref:refs/heads/main"
API_URI = "api://wif-inventory"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REFRESH = 2  # seconds between two fetches of the issuer's keys on an unknown kid


@pytest.fixture(autouse=True)
def log_guard() -> Iterator[None]:
    """The secrets to guard are in the server's output, which `wif_world` checks when it stops."""
    yield


@dataclass(frozen=True)
class WifWorld:
    """The server, its services, the external issuer, and an app trusting the issuer for SUBJECT."""

    server: LiveServer
    services: Services
    tenant: Tenant
    app: Application
    issuer: FakeIssuer
    credential: dict[str, Any]


def cli(world_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m tenantry …` as its own process on the server's data directory."""
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        env=server_environment(world_home),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture(scope="module")
def wif_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WifWorld]:
    """Issuer and server running; the deployer app's federated credential made by the CLI."""
    home: Path = tmp_path_factory.mktemp("tenantry-wif")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    tenant = services.directory.create_tenant("WIF Contoso", [DOMAIN])
    services.apps.create_app(tenant.id, "Inventory API", identifier_uris=(API_URI,))
    app = services.apps.create_app(tenant.id, "Deployer")
    with running_issuer(tmp_path_factory.mktemp("issuer")) as issuer:
        # The issuer's CA for the server's fetches; a short refresh floor so the key rotation test need not wait.
        settings = {"SSL_CERT_FILE": str(issuer.ca_path), "TENANTRY_FEDERATION_KEYS_REFRESH_SECONDS": str(REFRESH)}
        server = LiveServer(home, free_port(), settings=settings)
        server.start()
        try:
            made = cli(home, "app", "federated-credential", "create", "--id", app.app_id, "--name", "github-main",
                       "--issuer", issuer.url, "--subject", SUBJECT, "--json")  # fmt: skip
            assert made.returncode == 0, made.stderr
            yield WifWorld(server, services, tenant, app, issuer, json.loads(made.stdout))
        finally:
            gc.collect()
            server.stop()
            services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


CLIENT = textwrap.dedent(
    """
    import json, sys
    from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential
    credential = WorkloadIdentityCredential() if sys.argv[1] == "workload" else DefaultAzureCredential()
    print(json.dumps([credential.get_token(scope).token for scope in sys.argv[2:]]))
    """
)


def azure_identity_tokens(world: WifWorld, token_file: Path, mode: str, *scopes: str) -> list[str]:
    """Tokens from unmodified azure-identity in a fresh process configured only by the environment."""
    keep = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TENANTRY_", "AZURE_", "IDENTITY_", "MSI_")) and "proxy" not in name.lower()
    }
    env = {
        **keep,
        "AZURE_TENANT_ID": world.tenant.id,
        "AZURE_CLIENT_ID": world.app.app_id,
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        "AZURE_AUTHORITY_HOST": world.server.base_url,
        "REQUESTS_CA_BUNDLE": str(world.server.ca_path),
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, mode, *scopes], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    tokens: list[str] = json.loads(done.stdout)
    for index, token in enumerate(tokens):
        world.server.guard.watch(f"access token {index}", token)
    return tokens


def check_app_token(world: WifWorld, token: str, audience: str) -> None:
    """An app-only token of the deployer app, authenticated by an assertion (acr 2)."""
    claims = decode_unverified(token).claims
    assert claims["aud"] == audience
    assert claims["idtyp"] == "app" and claims["tid"] == world.tenant.id
    assert claims.get("appid", claims.get("azp")) == world.app.app_id
    assert claims.get("appidacr", claims.get("azpacr")) == "2"


@pytest.mark.parametrize("mode", ["workload", "default"])
def test_unmodified_azure_identity(wif_world: WifWorld, tmp_path: Path, mode: str) -> None:
    """One federated token in AZURE_FEDERATED_TOKEN_FILE, presented twice (two resources): both accepted."""
    token_file = tmp_path / "token"
    federated = wif_world.issuer.token(SUBJECT)
    wif_world.server.guard.watch("federated token", federated)
    token_file.write_text(federated, encoding="utf-8")
    graph, api = azure_identity_tokens(
        wif_world, token_file, mode, "https://graph.microsoft.com/.default", f"{API_URI}/.default"
    )
    check_app_token(wif_world, graph, "https://graph.microsoft.com")
    check_app_token(wif_world, api, API_URI)


def test_cli_lists_and_graph_reads_the_credential(wif_world: WifWorld) -> None:
    """`tenantry app federated-credential list --json` shows what `create` made, with Entra's default audience."""
    listed = cli(wif_world.server.home, "app", "federated-credential", "list", "--id", wif_world.app.app_id, "--json")
    assert listed.returncode == 0, listed.stderr
    (only,) = json.loads(listed.stdout)
    assert only == wif_world.credential
    assert only["audiences"] == ["api://AzureADTokenExchange"] and only["issuer"] == wif_world.issuer.url


def token_request(world: WifWorld, assertion: str, client_id: str | None = None) -> httpx.Response:
    """A client credentials request with `assertion`, as WorkloadIdentityCredential sends it."""
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id or world.app.app_id,
        "scope": "https://graph.microsoft.com/.default",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
    }
    world.server.guard.watch("assertion", assertion)
    url = f"{world.server.base_url}/{world.tenant.id}/oauth2/v2.0/token"
    with httpx.Client(verify=ssl.create_default_context(cafile=world.server.ca_path)) as http:
        return http.post(url, data=form)


def refused_with(response: httpx.Response, code: int, status: int = 401) -> dict[str, Any]:
    """Entra's error body naming `code`."""
    body: dict[str, Any] = response.json()
    assert response.status_code == status, body
    assert body["error_codes"] == [code], body
    assert body["error_description"].startswith(f"AADSTS{code}: "), body
    return body


def test_failure_codes(wif_world: WifWorld) -> None:
    """Subject, case, audience, time, signature: each refusal names Entra's code."""
    issuer = wif_world.issuer
    refused_with(token_request(wif_world, issuer.token("repo:contoso/other:ref:refs/heads/main")), 700213)
    refused_with(token_request(wif_world, issuer.token(SUBJECT.upper())), 7002138)
    refused_with(token_request(wif_world, issuer.token(SUBJECT, audience="api://elsewhere")), 700212)
    past = int(time.time()) - 3600
    refused_with(token_request(wif_world, issuer.token(SUBJECT, iat=past, nbf=past, exp=past + 60)), 700024)
    future = int(time.time()) + 3600
    refused_with(token_request(wif_world, issuer.token(SUBJECT, nbf=future, exp=future + 600)), 700024)
    stranger = SigningKey("key-1")  # the published kid, another key
    refused_with(token_request(wif_world, issuer.token(SUBJECT, key=stranger)), 700027)


def test_issuer_and_app_without_credentials(wif_world: WifWorld) -> None:
    """A token of an issuer the app does not trust is 700211; an app with no federated credential 70021."""
    other = wif_world.services.apps.create_app(wif_world.tenant.id, "No federation")
    token = wif_world.issuer.token(SUBJECT)
    refused_with(token_request(wif_world, token, client_id=other.app_id), 70021)
    foreign = wif_world.issuer.token(SUBJECT, iss="https://token.actions.githubusercontent.com")
    refused_with(token_request(wif_world, foreign), 700211)


def test_unreachable_issuer_is_501661(wif_world: WifWorld) -> None:
    """An issuer whose discovery cannot be fetched (nothing listens there): 400 with 501661."""
    gone = f"https://127.0.0.1:{free_port()}"
    made = cli(wif_world.server.home, "app", "federated-credential", "create", "--id", wif_world.app.app_id,
               "--name", "gone", "--issuer", gone, "--subject", SUBJECT)  # fmt: skip
    assert made.returncode == 0, made.stderr
    refused_with(token_request(wif_world, wif_world.issuer.token(SUBJECT, iss=gone)), 501661, status=400)


def test_rotated_key_is_fetched_on_unknown_kid(wif_world: WifWorld) -> None:
    """The issuer publishes a new key and signs with it: its unknown kid makes the server fetch the keys again,
    once the last fetch is older than the refresh floor; made-up kids do not fetch more often than that."""
    issuer = wif_world.issuer
    time.sleep(REFRESH)
    fresh = SigningKey("key-2")
    issuer.keys.append(fresh)
    fetched = issuer.requests.count("/keys")
    response = token_request(wif_world, issuer.token(SUBJECT, key=fresh))
    assert response.status_code == 200, response.text
    wif_world.server.guard.watch("access token", response.json()["access_token"])
    assert issuer.requests.count("/keys") == fetched + 1
    for _ in range(3):
        refused_with(token_request(wif_world, issuer.token(SUBJECT, key=SigningKey("made-up"))), 700027)
    assert issuer.requests.count("/keys") <= fetched + 2


@pytest.fixture(scope="module")
def azure_identity_node() -> Path:
    """@azure/identity installed with npm (skipped without Node.js unless TENANTRY_REQUIRE_NODE=1)."""
    try:
        return ensure_azure_identity()
    except NodeUnavailableError as exc:
        if node_required():
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def test_node_default_credential(wif_world: WifWorld, azure_identity_node: Path, tmp_path: Path) -> None:
    """`new DefaultAzureCredential()` in Node.js from the same environment (NODE_EXTRA_CA_CERTS for the
    server's CA). A bare `new WorkloadIdentityCredential()` is not tested: msal-node then asks
    login.microsoftonline.com for instance discovery (DefaultAzureCredential's does not), which needs the
    transparent mode or `disableInstanceDiscovery: true` in code."""
    token_file = tmp_path / "token"
    federated = wif_world.issuer.token(SUBJECT)
    wif_world.server.guard.watch("federated token", federated)
    token_file.write_text(federated, encoding="utf-8")
    env = {
        **{n: v for n, v in os.environ.items() if not n.startswith(("TENANTRY_", "AZURE_", "IDENTITY_"))},
        "AZURE_TENANT_ID": wif_world.tenant.id,
        "AZURE_CLIENT_ID": wif_world.app.app_id,
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        "AZURE_AUTHORITY_HOST": wif_world.server.base_url,
        "NODE_EXTRA_CA_CERTS": str(wif_world.server.ca_path),
        "CREDENTIAL": "default",
    }
    answer = node_default_credential(azure_identity_node, env, f"{API_URI}/.default")
    assert "tokens" in answer, answer
    (token,) = answer["tokens"]
    wif_world.server.guard.watch("node access token", token)
    check_app_token(wif_world, token, API_URI)
