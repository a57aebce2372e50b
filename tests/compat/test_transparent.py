"""Transparent mode (issue 13 §6): `tenantry serve --transparent` answers as Entra's public cloud, and code
with Entra's URLs written into it works unmodified; only the CA bundle changes.

The server and the clients run in a private mount and network namespace (`unshare --mount --net`, through
`transparent/netns.sh`): a hosts file of `tenantry dev-cert --hosts-file`'s lines is bind-mounted over
/etc/hosts there only, so the machine's /etc/hosts is never touched, and port 443 on the namespace's own
loopback cannot collide with the other tests that listen on 443 (az CLI, MSAL ROPC). Without the namespace
the test skips with the reason, except where TENANTRY_REQUIRE_NAMESPACE=1 (CI), where it fails.

Checked: unmodified `EnvironmentCredential()` from AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET alone (instance
discovery on) gets Graph and ARM tokens (v1, as in Entra: issuer `sts.windows.net/{tid}/`) and a v2 API's
(issuer `login.microsoftonline.com/{tid}/v2.0`), and uses them at `graph.microsoft.com/v1.0` and
`management.azure.com`; MSAL
with the authority written in and its defaults, including instance discovery; a fastapi-azure-auth resource
server on its defaults accepts the API's token and refuses another audience; the msgraph SDK on its defaults.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.live_server import LogGuard
from tenantry.app import build_services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.common.transparent import hosts_file_lines
from tenantry.config import Settings

pytestmark = pytest.mark.compat

HERE = Path(__file__).with_name("transparent")
DOMAIN = "transparent.contoso.example"
API_URI = "api://transparent-api"
NAMESPACE_FLAGS = (("--mount", "--net"), ("--user", "--map-root-user", "--mount", "--net"))
RUN_TIMEOUT = 150
PASSWORD = "Transparent-Pa55word!"


@pytest.fixture(autouse=True)
def log_guard() -> Iterator[None]:
    """This test checks the server's output itself (`LogGuard` on the report)."""
    yield


def _namespace_flags(hosts: Path) -> tuple[str, ...] | None:
    """The first `unshare` flag set under which the wrapper can bring up loopback and bind the hosts file."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    for flags in NAMESPACE_FLAGS:
        probe = ["unshare", *flags, "bash", str(HERE / "netns.sh"), str(hosts), "true"]
        if subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0:
            return flags
    return None


@dataclass(frozen=True)
class World:
    """The data directory and the environment the unmodified clients get."""

    home: Path
    client_env: dict[str, str]
    guard: LogGuard


def _world(home: Path) -> World:
    """A tenant with a user, a v2 API with an app role, and a daemon holding that role and Graph's
    User.Read.All (admin-consented), set up on the database the transparent server will open."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    try:
        tenant = services.directory.create_tenant("Transparent Contoso", [DOMAIN])
        services.users.create_user(tenant.id, f"erin@{DOMAIN}", PASSWORD, display_name="Erin")
        desktop = services.apps.create_app(
            tenant.id, "Transparent desktop", redirect_uris=(("public", "http://localhost"),), public_client=True
        )
        services.apps.admin_consent(services.apps.add_permission(desktop, GRAPH_APP_ID, "User.Read", "Scope"))
        api = services.apps.create_app(tenant.id, "Transparent API", identifier_uris=(API_URI,), access_token_version=2)
        services.apps.add_app_role(api, "Things.Read")
        daemon = services.apps.create_app(tenant.id, "Transparent daemon")
        daemon = services.apps.add_permission(daemon, api.app_id, "Things.Read", "Role")
        daemon = services.apps.add_permission(daemon, GRAPH_APP_ID, "User.Read.All", "Role")
        services.apps.admin_consent(daemon)
        secret = services.credentials.add_secret(daemon, "transparent").secret_text
    finally:
        services.store.dispose()
    ca = str(home / "tls" / "ca.pem")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AZURE_TENANT_ID": tenant.id,
        "AZURE_CLIENT_ID": daemon.app_id,
        "AZURE_CLIENT_SECRET": secret,
        "REQUESTS_CA_BUNDLE": ca,
        "SSL_CERT_FILE": ca,
        "API_APP_ID": api.app_id,
        "PUBLIC_CLIENT_ID": desktop.app_id,
        "USER_NAME": f"erin@{DOMAIN}",
        "USER_PASSWORD": PASSWORD,
    }
    guard = LogGuard()
    guard.watch("client secret", secret)
    guard.watch("user password", PASSWORD)
    return World(home, env, guard)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the server and the clients in the namespace once; what `inside.py` reported."""
    home = tmp_path_factory.mktemp("tenantry-transparent")
    hosts = home / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "\n".join(hosts_file_lines()) + "\n", encoding="utf-8")
    flags = _namespace_flags(hosts)
    if flags is None:
        reason = "cannot create a mount and network namespace here (unshare, ip and namespaces needed)"
        if os.environ.get("TENANTRY_REQUIRE_NAMESPACE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    world = _world(home)
    command = ["unshare", *flags, "bash", str(HERE / "netns.sh"), str(hosts)]
    inside = [sys.executable, str(HERE / "inside.py"), str(home), json.dumps(world.client_env)]
    done = subprocess.run([*command, *inside], capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result.get("clients") is not None, f"{result.get('error')}\n{result['clients_stderr']}\n{result['server']}"
    leaks = world.guard.leaks(result["server"])
    assert not leaks, f"the server logged {', '.join(leaks)}"
    result["tenant_id"] = world.client_env["AZURE_TENANT_ID"]
    result["api_app_id"] = world.client_env["API_APP_ID"]
    return result


def test_environment_credential_gets_entra_issued_tokens_for_graph_and_arm(report: dict[str, Any]) -> None:
    """Graph and ARM ask for v1 tokens, as in Entra: issued by exactly `sts.windows.net/{tid}/`; both are
    used on their own hosts."""
    seen, tid = report["clients"], report["tenant_id"]
    assert seen["graph_iss"] == f"https://sts.windows.net/{tid}/"
    assert seen["arm_iss"] == f"https://sts.windows.net/{tid}/"
    assert seen["graph_status"] == 200
    assert seen["graph_body"]["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#users"
    assert f"erin@{DOMAIN}" in {u["userPrincipalName"] for u in seen["graph_body"]["value"]}
    assert seen["arm_status"] == 200, seen["arm_body"]


def test_msal_with_hard_coded_authority_and_instance_discovery(report: dict[str, Any]) -> None:
    """MSAL's defaults work, and its instance discovery was answered by this server."""
    seen = report["clients"]
    assert seen["msal_iss"] == f"https://sts.windows.net/{report['tenant_id']}/"
    assert seen["msal_accounts"] == []
    assert "GET /common/discovery/instance" in report["server"]


def test_msal_username_password_with_user_realm_discovery_on_443(report: dict[str, Any]) -> None:
    """MSAL's ROPC asks `login.microsoftonline.com:443/common/userrealm/...` first: answered here."""
    assert report["clients"]["ropc_upn"] == f"erin@{DOMAIN}"
    assert "GET /common/userrealm/" in report["server"]


def test_fastapi_azure_auth_on_defaults(report: dict[str, Any]) -> None:
    """The resource server fetched Entra's discovery (from us) and accepted the issuer; a Graph token is
    refused for its audience."""
    seen = report["clients"]
    assert seen["api_status"] == 200, seen["api_body"]
    assert seen["api_body"]["iss"] == f"https://login.microsoftonline.com/{report['tenant_id']}/v2.0"
    assert seen["api_body"]["aud"] == report["api_app_id"]
    assert seen["api_body"]["roles"] == ["Things.Read"]
    assert seen["api_wrong_audience"] == 401


def test_msgraph_sdk_on_defaults(report: dict[str, Any]) -> None:
    """GraphServiceClient with no base URL reaches graph.microsoft.com, i.e. this server."""
    users = report["clients"]["msgraph"]
    if users is None:
        pytest.skip("msgraph-sdk is not installed")
    assert f"erin@{DOMAIN}" in users
