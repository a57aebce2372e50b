"""Fixtures for seamless SSO against a real MIT KDC, set up as a new user would.

- One KDC for the package (realm CORP.EXAMPLE on a free loopback port, `support.kdc`) with the user
  principals the tests sign in as and the service principal `HTTP/localhost`; its keytab is exported with
  `kadmin.local ktadd`.
- One `tenantry serve` on a free port of 127.0.0.1 (`https://localhost:PORT`, so the SPN is
  `HTTP/localhost`), on a fresh data directory, configured by the real CLI in separate processes: tenants,
  desktop apps, a first user with `user update --on-premises-upn`, `sso enable --keytab`. The server gets no
  Kerberos environment at all: it accepts tickets with the imported keys alone. The users each test needs
  are then made in-process on the same database (a CLI process costs seconds on a busy machine), and the
  sign-in log is read there too.
- Without the Kerberos tools the package is skipped with the reason; `TENANTRY_REQUIRE_KDC=1` (CI) fails it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.kdc import Kdc, missing_requirement
from support.live_server import LiveServer, free_port, server_environment
from tenantry.app import Services, build_services
from tenantry.config import Settings
from tenantry.signins.models import SignInQuery

DOMAIN = "contoso.example"
OTHER_DOMAIN = "fabrikam.example"
PASSWORD = "Kerb3ros-Sign-In!"
KDC_PASSWORD = "Kdc-Pa55word!"
SPN = "HTTP/localhost"
REQUIRE_ENV = "TENANTRY_REQUIRE_KDC"


def _client_missing() -> str | None:
    """Why the Kerberos client libraries (python-gssapi, requests-gssapi: the `kerberos` extra) are absent."""
    try:
        import gssapi  # noqa: F401
        import requests_gssapi  # noqa: F401
    except ImportError as err:
        return f"{err.name} is not installed (apt-get install libkrb5-dev, then make install)"
    return None


# Without them the test modules cannot even be imported: leave them out (the skip), unless CI requires them,
# where the import error fails the run.
if _client_missing() is not None and os.environ.get(REQUIRE_ENV) != "1":
    collect_ignore_glob = ["test_*.py", "client.py"]


def tenantry(home: Path, *args: str, settings: dict[str, str] | None = None) -> Any:
    """The real CLI in its own process over `home`; its `--json` output, parsed."""
    env = {**server_environment(home), **(settings or {})}
    done = subprocess.run(
        [sys.executable, "-m", "tenantry", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"tenantry {' '.join(args)}: {done.stdout}{done.stderr}"
    return json.loads(done.stdout)


def tenantry_text(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI without `--json` (its table, and warnings on stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        capture_output=True,
        text=True,
        env=server_environment(home),
        timeout=120,
        check=False,
    )


@dataclass
class Realm:
    """The KDC, the server, and the directory the tests sign in to."""

    kdc: Kdc
    server: LiveServer
    home: Path
    tenant_id: str
    other_tenant_id: str
    app_id: str
    other_app_id: str
    keytab: Path
    services: Services

    @property
    def base_url(self) -> str:
        """`https://localhost:PORT`."""
        return self.server.base_url

    def new_user(self, name: str, *, map_to: str | None = None, kdc: bool = True) -> tuple[str, str]:
        """A KDC principal `name-xxxx` and a tenant user of the same name mapped to it (`map_to`: to another
        principal; None with kdc=False: an unmapped user); returns (principal, UPN)."""
        short = f"{name}-{uuid.uuid4().hex[:6]}"
        principal = self.kdc.add_user(short, KDC_PASSWORD) if kdc else f"{short}@{self.kdc.realm}"
        upn = f"{short}@{DOMAIN}"
        user = self.services.users.create_user(self.tenant_id, upn, PASSWORD)
        target = map_to if map_to is not None else principal
        if target:
            self.services.users.set_on_premises_account(user, {"on_premises_user_principal_name": target})
        return principal, upn

    def sign_ins(self, code: int, upn: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The tenant's sign-in log entries with `code` for `upn` (the log is written asynchronously)."""
        deadline = time.monotonic() + timeout
        query = SignInQuery(self.tenant_id, error_code=code, user_principal_name=upn)
        while True:
            entries = self.services.sign_ins.list(query)
            if entries or time.monotonic() > deadline:
                return entries
            time.sleep(0.2)


@pytest.fixture(scope="package")
def kdc_ready() -> None:
    """Skip (or, under TENANTRY_REQUIRE_KDC=1, fail) without the MIT Kerberos tools."""
    reason = missing_requirement()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def kdc(kdc_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    """The realm's KDC, with `HTTP/localhost`."""
    realm = Kdc(tmp_path_factory.mktemp("kdc"))
    realm.start()
    try:
        realm.add_service(SPN)
        yield realm
    finally:
        realm.stop()


def _directory(home: Path) -> dict[str, str]:
    """Two tenants (SSO in the first only) with a public desktop client each, created with the CLI."""
    tenant = tenantry(home, "tenant", "create", "--name", "Contoso", "--domain", DOMAIN)
    other = tenantry(home, "tenant", "create", "--name", "Fabrikam", "--domain", OTHER_DOMAIN)
    ids = {"tenant": tenant["id"], "other": other["id"]}
    for key, tenant_id in (("app", ids["tenant"]), ("other_app", ids["other"])):
        app = tenantry(
            home, "app", "create", "--tenant", tenant_id, "--name", "Desktop", "--platform", "public",
            "--redirect-uri", "http://localhost", "--public-client",
        )  # fmt: skip
        ids[key] = app["appId"]
    return ids


@pytest.fixture(scope="package")
def realm(kdc: Kdc, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realm]:
    """The server on a fresh data directory, the directory made with the CLI, and the keytab imported."""
    home = tmp_path_factory.mktemp("tenantry-kerberos")
    ids = _directory(home)
    keytab = kdc.folder / "http.keytab"
    kdc.export_keytab(SPN, keytab)
    tenantry(home, "sso", "enable", "--tenant", ids["tenant"], "--realm", kdc.realm, "--keytab", str(keytab))
    first = tenantry(
        home, "user", "create", "--tenant", ids["tenant"], "--upn", f"first@{DOMAIN}", "--password", PASSWORD
    )
    mapped = tenantry(home, "user", "update", "--id", first["id"], "--on-premises-upn", f"first@{kdc.realm}")
    assert mapped["onPremisesUserPrincipalName"] == f"first@{kdc.realm}"
    server = LiveServer(home, free_port())
    server.guard.watch("user password", PASSWORD)
    server.guard.watch("KDC password", KDC_PASSWORD)
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(home))
        services = build_services(Settings())
    ids_ = (ids["tenant"], ids["other"], ids["app"], ids["other_app"])
    try:
        yield Realm(kdc, server, home, *ids_, keytab, services)
    finally:
        server.stop()
        services.store.dispose()
    leaks = server.guard.leaks(server.output())
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"


@pytest.fixture(autouse=True)
def trust_server(realm: Realm, monkeypatch: pytest.MonkeyPatch) -> None:
    """MSAL (requests) trusts the server's development CA through the environment."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(realm.server.ca_path))
