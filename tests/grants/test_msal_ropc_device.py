"""MSAL Python's `PublicClientApplication`, unmodified, against a live `tenantry serve`: device flow and
username/password (msal-compat §2.5, §2.6).

The device code is approved by writing its row (the /devicelogin page is tested with the sign-in pages).
MSAL Python asks `https://<host>/common/userrealm/<upn>` on port 443 whatever the authority's port
(msal-compat §1.3), so the server listens on a free port *and* on 443; without 443 (in use, or no
privilege to bind it) the ROPC test is skipped with the reason.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msal
import pytest

from support.live_server import LiveServer, free_port
from support.tokens import decode_unverified
from tenantry.app import Services, build_services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User

pytestmark = pytest.mark.compat

DOMAIN = "msal-grants.example"
PASSWORD = "Device-Flow-Passw0rd!"
APPROVAL_TIMEOUT = 20.0


@pytest.fixture(autouse=True)
def log_guard() -> Iterator[None]:
    """Here the secrets to guard are in the *server's* output, which `live` checks when it stops; the
    in-process guard of the suite would only see MSAL's own client-side logging."""
    yield


def port_443_available() -> bool:
    """Whether this process could listen on 127.0.0.1:443 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", 443))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class Live:
    """The running server, its services (on the same database) and the directory the tests use."""

    server: LiveServer
    services: Services
    tenant: Tenant
    user: User
    client_id: str
    on_443: bool

    @property
    def authority(self) -> str:
        """The tenant-specific authority on the server's free port."""
        return f"{self.server.base_url}/{self.tenant.id}"

    def app(self) -> msal.PublicClientApplication:
        """Unmodified MSAL: authority and `instance_discovery=False`; the CA comes from the environment."""
        return msal.PublicClientApplication(self.client_id, authority=self.authority, instance_discovery=False)

    def approve(self, user_code: str) -> None:
        """What /devicelogin does once the user signed in and consented."""
        with self.services.store.transaction(write=True) as unit:
            code = unit.find_device_code_by_user_code(user_code)
            assert code is not None, "the device code MSAL shows must exist"
            approved = replace(
                code, status="approved", tenant_id=self.tenant.id, user_id=self.user.id, auth_time=datetime.now(UTC)
            )
            unit.update_device_code(approved)

    def was_polled(self, user_code: str) -> bool:
        """Whether the device has polled at least once."""
        with self.services.store.transaction() as unit:
            code = unit.find_device_code_by_user_code(user_code)
        return code is not None and code.last_polled_at is not None


def _directory(services: Services) -> tuple[Tenant, User, str]:
    """A tenant, a user, and a desktop app (public client flows) admin-consented to Graph's User.Read."""
    tenant = services.directory.create_tenant("MSAL grants", [DOMAIN])
    user = services.users.create_user(tenant.id, f"dana@{DOMAIN}", PASSWORD, display_name="Dana")
    app = services.apps.create_app(
        tenant.id, "MSAL desktop", redirect_uris=(("public", "http://localhost"),), public_client=True
    )
    app = services.apps.add_permission(app, GRAPH_APP_ID, "User.Read", "Scope")
    services.apps.admin_consent(app)
    return tenant, user, app.app_id


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`tenantry serve` on a free port (and 443 when possible); afterwards, no password or token in its output."""
    home: Path = tmp_path_factory.mktemp("tenantry-msal-grants")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    tenant, user, client_id = _directory(services)
    on_443 = port_443_available()
    extra = ("--access-log", "--port", "443") if on_443 else ("--access-log",)
    server = LiveServer(home, free_port(), extra_args=extra)
    server.guard.watch("user password", PASSWORD)
    server.start()
    try:
        yield Live(server, services, tenant, user, client_id, on_443)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture
def env(live: Live, monkeypatch: pytest.MonkeyPatch) -> Live:
    """MSAL (requests) trusts the server's CA through the environment; no proxy for localhost."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(live.server.ca_path))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return live


def _check_user_result(live: Live, result: dict[str, Any]) -> None:
    """A successful user-flow result: tokens, id_token claims MSAL built the account from, cached scope."""
    assert "access_token" in result, f"{result.get('error')}: {result.get('error_description')}"
    for name in ("access_token", "refresh_token", "id_token"):
        live.server.guard.watch(name, str(result[name]))
    claims = result["id_token_claims"]
    assert (claims["oid"], claims["tid"], claims["preferred_username"]) == (
        live.user.id,
        live.tenant.id,
        live.user.user_principal_name,
    )
    assert decode_unverified(result["access_token"]).claims["scp"] == "User.Read"
    assert set(result["scope"].split()) >= {"User.Read", "openid", "profile", "offline_access"}


def test_device_flow_approved_before_the_first_poll(env: Live) -> None:
    """initiate_device_flow gets Entra's fields; once approved, the first poll (without `scope`) returns
    tokens for the stored scopes, and acquire_token_silent is then served from MSAL's cache."""
    app = env.app()
    flow = app.initiate_device_flow(scopes=["User.Read"])
    assert {"user_code", "device_code", "verification_uri", "message", "interval"} <= set(flow), flow
    env.server.guard.watch("device code", flow["device_code"])
    assert flow["verification_uri"] == f"{env.server.base_url}/devicelogin"
    env.approve(flow["user_code"])
    result = app.acquire_token_by_device_flow(flow)
    _check_user_result(env, result)
    [account] = app.get_accounts()
    assert account["home_account_id"] == f"{env.user.id}.{env.tenant.id}"
    cached = app.acquire_token_silent(["User.Read"], account=account)
    assert cached is not None and cached["token_source"] == "cache"


def test_device_flow_waits_while_pending(env: Live) -> None:
    """The user approves after MSAL's first poll: MSAL gets `authorization_pending`, waits one interval
    and its next poll succeeds — never a `slow_down` (msal-node would abort on one)."""
    app = env.app()
    flow = app.initiate_device_flow(scopes=["User.Read"])
    env.server.guard.watch("device code", flow["device_code"])

    def approve_after_first_poll() -> None:
        deadline = time.monotonic() + APPROVAL_TIMEOUT
        while not env.was_polled(flow["user_code"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        env.approve(flow["user_code"])

    approver = threading.Thread(target=approve_after_first_poll)
    approver.start()
    started = time.monotonic()
    result = app.acquire_token_by_device_flow(flow)
    approver.join()
    _check_user_result(env, result)
    assert time.monotonic() - started >= flow["interval"] - 1, "MSAL waited an interval after pending"
    assert flow["interval"] == 5, "no slow_down: MSAL adds 5 s to the interval on each one"


@pytest.mark.filterwarnings("ignore:This API has been deprecated for public client flows:DeprecationWarning")
def test_username_password(env: Live) -> None:
    """acquire_token_by_username_password: user-realm discovery on :443 says Managed, then ROPC succeeds;
    a wrong password comes back as Entra's AADSTS50126 body."""
    if not env.on_443:
        pytest.skip("port 443 is taken or needs privileges here; MSAL Python sends user-realm discovery there")
    app = env.app()
    result = app.acquire_token_by_username_password(env.user.user_principal_name, PASSWORD, scopes=["User.Read"])
    _check_user_result(env, result)
    wrong = app.acquire_token_by_username_password(
        env.user.user_principal_name, "Not-The-Passw0rd", scopes=["User.Read"]
    )
    assert (wrong["error"], wrong["error_codes"]) == ("invalid_grant", [50126])
    assert "GET /common/userrealm/" in env.server.output(), "MSAL asked user-realm discovery first"


@pytest.mark.filterwarnings("ignore:This API has been deprecated for public client flows:DeprecationWarning")
def test_username_password_expired_by_the_tenant_policy(env: Live) -> None:
    """Under a 30-day tenant password policy, a password set 31 days ago makes MSAL's ROPC answer Entra's
    50055 `user_password_expired`, saying a change is required."""
    if not env.on_443:
        pytest.skip("port 443 is taken or needs privileges here; MSAL Python sends user-realm discovery there")
    user = env.services.users.create_user(env.tenant.id, f"erin@{DOMAIN}", PASSWORD, display_name="Erin")
    with env.services.store.transaction(write=True) as unit:
        unit.update_user(replace(user, password_changed_at=datetime.now(UTC) - timedelta(days=31)))
    env.services.password_policies.set_policy(env.tenant.id, validity_days=30)
    try:
        result = env.app().acquire_token_by_username_password(user.user_principal_name, PASSWORD, scopes=["User.Read"])
    finally:
        env.services.password_policies.set_policy(env.tenant.id, never_expire=True)
    assert (result["error"], result["error_codes"]) == ("user_password_expired", [50055])
    assert result["suberror"] == "user_password_expired"
    assert "must be changed" in result["error_description"]
