"""The real Azure CLI against a live `tenantry serve` (issue 13, "Done when"): the cloud registered as
`tenantry az-cloud` prints it, `az login` three ways (service principal, username and password, device code
approved as /devicelogin would), Graph tokens, `az ad app|sp|user`, `az ad app credential`,
`az rest` to Graph and ARM, `az account`; every call exits 0 and the directory shows what az did.

The server listens on a free port on 127.0.0.1 with a fresh data directory and, when it can, on 443 too:
az's username/password login runs MSAL's user-realm discovery, which drops the authority's port
(msal-compat §1.3). az gets its own AZURE_CONFIG_DIR and trusts the server's dev CA by REQUESTS_CA_BUNDLE.
Skipped without az (`make az` installs it) unless TENANTRY_REQUIRE_AZ=1 (CI).
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from grants.test_msal_ropc_device import port_443_available
from support.azure_cli import REQUIRE_ENV, AzRunner, require_az
from support.live_server import LiveServer, free_port, server_environment
from tenantry.app import Services, build_services
from tenantry.config import Settings
from tenantry.directory.models import Tenant

pytestmark = pytest.mark.compat

DOMAIN = "az.contoso.example"
ADMIN_PASSWORD = "Az-Admin-Passw0rd!2026"
NEW_USER_PASSWORD = "Az-Bob-Passw0rd!2026"


@pytest.fixture(autouse=True)
def log_guard() -> Iterator[None]:
    """The secrets to guard are in the server's output, which `live` checks when it stops."""
    yield


@dataclass(frozen=True)
class AzWorld:
    """The running server, in-process services on its database, and what az signs in with."""

    server: LiveServer
    services: Services
    tenant: Tenant
    deployer_app_id: str
    deployer_secret: str
    subscription_id: str
    on_443: bool


@pytest.fixture(scope="module")
def az_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzWorld]:
    """A tenant with a Global Administrator, a deployer app with a secret and one subscription, served on a
    free port (and 443 when possible); afterwards, no password, secret or token in the server's output."""
    home: Path = tmp_path_factory.mktemp("tenantry-az")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    tenant = services.directory.create_tenant("Az Contoso", [DOMAIN])
    admin = services.users.create_user(tenant.id, f"admin@{DOMAIN}", ADMIN_PASSWORD, display_name="Admin")
    services.roles.assign_role(tenant.id, admin.id, "Global Administrator")
    deployer = services.apps.create_app(tenant.id, "Deployer")
    secret = services.credentials.add_secret(deployer).secret_text
    subscription = services.subscriptions.create(tenant.id, "Az Dev")
    on_443 = port_443_available()
    extra = ("--access-log", "--port", "443") if on_443 else ("--access-log",)
    server = LiveServer(home, free_port(), extra_args=extra)
    for label, value in (("admin password", ADMIN_PASSWORD), ("user password", NEW_USER_PASSWORD), ("secret", secret)):
        server.guard.watch(label, value)
    server.start()
    try:
        yield AzWorld(server, services, tenant, deployer.app_id, secret, subscription.id, on_443)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture(scope="module")
def az(az_world: AzWorld, tmp_path_factory: pytest.TempPathFactory) -> AzRunner:
    """az with a fresh config directory, trusting the server's CA, with the server registered as its active
    cloud exactly as `tenantry az-cloud` prints it."""
    runner = AzRunner(require_az(), tmp_path_factory.mktemp("azure-config"), az_world.server.ca_path)
    for command in az_cloud_commands(az_world):
        assert command[0] == "az"
        runner(*command[1:])
    return runner


def az_cloud_commands(world: AzWorld) -> list[list[str]]:
    """What `tenantry az-cloud --json` prints for the running server (read from its server record)."""
    env = server_environment(world.server.home)
    result = subprocess.run(
        [sys.executable, "-m", "tenantry", "az-cloud", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    printed: dict[str, Any] = json.loads(result.stdout)
    assert printed["publicUrl"] == world.server.base_url, "az-cloud names the running server, not a default"
    commands: list[list[str]] = printed["commands"]
    return commands


def parsed(result: subprocess.CompletedProcess[str]) -> Any:
    """az's JSON output."""
    return json.loads(result.stdout)


def test_az_cloud_and_service_principal_login(az_world: AzWorld, az: AzRunner) -> None:
    """The cloud as `tenantry az-cloud` prints it, then `az login --service-principal`: az lists the tenant's
    subscription through ARM; `az account show` names it."""
    cloud = parsed(az("cloud", "show", "-o", "json"))
    assert cloud["endpoints"]["microsoftGraphResourceId"] == f"{az_world.server.base_url}/"
    login = parsed(
        az(
            "login",
            "--service-principal",
            "-u",
            az_world.deployer_app_id,
            "-p",
            az_world.deployer_secret,
            "--tenant",
            az_world.tenant.id,
            "-o",
            "json",
        )
    )
    assert [(s["id"], s["tenantId"], s["user"]["type"]) for s in login] == [
        (az_world.subscription_id, az_world.tenant.id, "servicePrincipal")
    ]
    account = parsed(az("account", "show", "-o", "json"))
    assert (account["id"], account["name"]) == (az_world.subscription_id, "Az Dev")


def test_az_user_login_and_directory_commands(az_world: AzWorld, az: AzRunner) -> None:
    """`az login -u/-p` (ROPC with az's own client, no consent anywhere), a Graph token, then `az ad`:
    app create, credential reset --append / list / delete --key-id, sp create --id, user create, and
    `az rest` to Graph's /v1.0/organization and ARM's /tenants: each exits 0 and the directory agrees."""
    if not az_world.on_443:
        reason = "port 443 is not available: az's username/password login needs MSAL's user-realm discovery on it"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    login = parsed(az("login", "-u", f"admin@{DOMAIN}", "-p", ADMIN_PASSWORD, "-o", "json"))
    assert [(s["tenantId"], s["user"]["name"]) for s in login] == [(az_world.tenant.id, f"admin@{DOMAIN}")]
    token = parsed(az("account", "get-access-token", "--resource-type", "ms-graph", "-o", "json"))
    az_world.server.guard.watch("graph token", token["accessToken"])
    assert token["tenant"] == az_world.tenant.id
    _check_app_commands(az_world, az)
    _check_user_and_rest(az_world, az)


def _check_app_commands(world: AzWorld, az: AzRunner) -> None:
    """The seed's `az ad app credential` round trip on an app az created, and its service principal."""
    services = world.services
    created = parsed(az("ad", "app", "create", "--display-name", "az-made", "-o", "json"))
    app = services.apps.find_app(created["appId"])
    assert app is not None and app.display_name == "az-made"
    reset = parsed(az("ad", "app", "credential", "reset", "--id", app.app_id, "--append", "-o", "json"))
    world.server.guard.watch("reset secret", reset["password"])
    listed = parsed(az("ad", "app", "credential", "list", "--id", app.app_id, "-o", "json"))
    secrets, _ = services.credentials.list_credentials(app)
    assert [c["keyId"] for c in listed] == [s.key_id for s in secrets] and len(secrets) == 1
    az("ad", "app", "credential", "delete", "--id", app.app_id, "--key-id", listed[0]["keyId"])
    assert services.credentials.list_credentials(app)[0] == []
    sp = parsed(az("ad", "sp", "create", "--id", app.app_id, "-o", "json"))
    held = {s.app_id: s.id for s in services.apps.list_service_principals(world.tenant.id)}
    assert held[app.app_id] == sp["id"]


def _check_user_and_rest(world: AzWorld, az: AzRunner) -> None:
    """`az ad user create`, then `az rest` on Graph (a Graph token) and on ARM (an ARM token)."""
    upn = f"bob@{DOMAIN}"
    az("ad", "user", "create", "--display-name", "Bob", "--user-principal-name", upn, "--password", NEW_USER_PASSWORD)
    user = world.services.users.find_user(upn)
    assert user is not None and user.display_name == "Bob"
    organization = parsed(az("rest", "--method", "get", "--url", f"{world.server.base_url}/v1.0/organization"))
    assert [o["id"] for o in organization["value"]] == [world.tenant.id]
    arm = parsed(az("cloud", "show", "-o", "json"))["endpoints"]["resourceManager"]
    tenants = parsed(az("rest", "--method", "get", "--url", f"{arm}/tenants?api-version=2022-12-01"))
    assert [t["tenantId"] for t in tenants["value"]] == [world.tenant.id]
    accounts = parsed(az("account", "list", "-o", "json"))
    assert {a["id"] for a in accounts} == {world.subscription_id}


def approve_device_code(world: AzWorld, user_code: str, upn: str) -> None:
    """What /devicelogin does once the user signed in (the page itself is tested with the sign-in pages)."""
    user = world.services.users.find_user(upn)
    assert user is not None
    with world.services.store.transaction(write=True) as unit:
        code = unit.find_device_code_by_user_code(user_code)
        assert code is not None, "the code az shows must exist"
        approved = replace(
            code, status="approved", tenant_id=world.tenant.id, user_id=user.id, auth_time=datetime.now(UTC)
        )
        unit.update_device_code(approved)


def test_az_login_with_device_code(az_world: AzWorld, az: AzRunner) -> None:
    """`az login --use-device-code`: az shows our /devicelogin and a code; once it is approved, az's next poll
    gets the tokens and the subscription is listed."""
    process = subprocess.Popen(
        [str(az.az), "login", "--use-device-code", "--tenant", az_world.tenant.id, "-o", "json"],
        env=az.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(90, process.kill)
    watchdog.start()
    try:
        assert process.stderr is not None
        prompt = ""
        while "enter the code" not in prompt and process.poll() is None:
            prompt = process.stderr.readline()
        match = re.search(r"(https://\S+/devicelogin).* code (\S+) ", prompt)
        assert match is not None, f"az showed no device code: {prompt!r}"
        assert match.group(1) == f"{az_world.server.base_url}/devicelogin"
        approve_device_code(az_world, match.group(2), f"admin@{DOMAIN}")
        out, err = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
    assert process.returncode == 0, err
    assert [(s["id"], s["user"]["name"]) for s in json.loads(out)] == [(az_world.subscription_id, f"admin@{DOMAIN}")]
