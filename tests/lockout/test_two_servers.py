"""Smart lockout shared by two `tenantry serve` processes on one data directory (issue 12 §1: state shared
by every server process), with the state in the database and in Redis: failures sent alternately to each
server add up, and once locked both servers refuse even the right password with 50053. The client's
requests come from 127.0.0.2 (its socket is bound there), the server's peer address."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.live_server import LiveServer, free_port
from support.redis import redis_prefix, require_redis
from tenantry.app import build_services
from tenantry.config import Settings

from .conftest import API_URI, PASSWORD, SCOPE

pytestmark = [pytest.mark.compat, pytest.mark.timeout(300)]

DOMAIN = "two-servers.example"


@pytest.fixture(params=["database", "redis"])
def backend_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The servers' extra settings: none (database), or a Redis URL and a key prefix of the test's own."""
    if request.param == "database":
        yield {}
        return
    url = require_redis()
    with redis_prefix(url) as prefix:
        yield {"TENANTRY_REDIS_URL": url, "TENANTRY_REDIS_KEY_PREFIX": prefix}


def _directory(home: Path) -> tuple[str, str, str]:
    """A tenant, a public client consented to an API, and a user: (tenant id, client id, UPN)."""
    services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("Two servers", [DOMAIN])
        apps = services.apps
        api = apps.create_app(tenant.id, "Orders API", identifier_uris=(API_URI,))
        apps.add_scope(api, "Orders.Read", "User", "Read your orders")
        native = apps.create_app(tenant.id, "Desktop", public_client=True)
        apps.admin_consent(apps.add_permission(native, api.app_id, "Orders.Read", "Scope"))
        user = services.users.create_user(tenant.id, f"dana@{DOMAIN}", PASSWORD, "Dana")
        return tenant.id, native.app_id, user.user_principal_name
    finally:
        services.store.dispose()


def test_two_servers_share_one_lockout(tmp_path: Path, backend_env: dict[str, str]) -> None:
    """Nine wrong passwords alternately to A and B, the tenth to B: A refuses the right password (50053),
    and so does B; neither server saw ten failures itself."""
    tenant_id, client_id, upn = _directory(tmp_path)
    servers = [LiveServer(tmp_path, free_port(), extra_args=(), settings=backend_env) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        verify = ssl.create_default_context(cafile=str(servers[0].ca_path))
        transport = httpx.HTTPTransport(verify=verify, local_address="127.0.0.2")
        with httpx.Client(transport=transport, timeout=30.0) as http:

            def ropc(server: LiveServer, password: str) -> int:
                form = {"grant_type": "password", "client_id": client_id, "username": upn}
                form |= {"password": password, "scope": SCOPE}
                answer = http.post(f"{server.base_url}/{tenant_id}/oauth2/v2.0/token", data=form)
                return 0 if answer.status_code == 200 else int(answer.json()["error_codes"][0])

            codes = [ropc(servers[i % 2], f"Wrong-{i}-Passw0rd") for i in range(10)]
            assert codes == [50126] * 10
            assert ropc(servers[0], PASSWORD) == 50053
            assert ropc(servers[1], PASSWORD) == 50053
    finally:
        for server in servers:
            server.stop()
