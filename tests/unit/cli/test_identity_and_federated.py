"""`tenantry identity create|list|delete` and `tenantry app federated-credential create|list|delete` in-process:
what they print, what they refuse, and that create refuses without a server to name (no guessed port)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import cli_runner
from tenantry.app import build_services
from tenantry.config import Settings

PUBLIC_URL = "https://login.contoso.example:9443"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data directory with one tenant and one app."""
    home = tmp_path / "home"
    services = build_services(Settings(home=home, database_url=None, public_url=None, secret_key=None))
    tenant = services.directory.create_tenant("Contoso", ["contoso.example"])
    services.apps.create_app(tenant.id, "Deployer", identifier_uris=("api://deployer",))
    services.store.dispose()
    return home


def test_identity_needs_a_server_to_name(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No running server and no TENANTRY_PUBLIC_URL: exit 1, nothing created."""
    monkeypatch.delenv("TENANTRY_PUBLIC_URL", raising=False)
    with cli_runner(home, monkeypatch) as run:
        refused = run("identity", "create", "--tenant", "contoso.example", "--name", "web")
        assert refused.exit_code == 1 and "no server is running" in refused.output
        assert json.loads(run("identity", "list", "--tenant", "contoso.example", "--json").output) == []


def test_identity_create_list_delete(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports on the public URL; the user-assigned one names its client id; names unique; delete by name."""
    monkeypatch.setenv("TENANTRY_PUBLIC_URL", PUBLIC_URL)
    with cli_runner(home, monkeypatch) as run:
        shell = run("identity", "create", "--tenant", "contoso.example", "--name", "web")
        assert shell.exit_code == 0, shell.output
        assert f"export IDENTITY_ENDPOINT='{PUBLIC_URL}/msi/token'" in shell.output
        assert "AZURE_CLIENT_ID" not in shell.output
        made = run("identity", "create", "--tenant", "contoso.example", "--name", "jobs", "--user-assigned", "--json")
        created = json.loads(made.output)
        assert created["environment"]["AZURE_CLIENT_ID"] == created["clientId"]
        again = run("identity", "create", "--tenant", "contoso.example", "--name", "WEB")
        assert again.exit_code == 1 and "already has" in again.output
        listed = json.loads(run("identity", "list", "--tenant", "contoso.example", "--json").output)
        assert [i["name"] for i in listed] == ["web", "jobs"]
        assert all("environment" not in i for i in listed)
        assert run("identity", "delete", "--tenant", "contoso.example", "--identity", "web").exit_code == 0
        assert run("identity", "delete", "--tenant", "contoso.example", "--identity", "web").exit_code == 1
        listed = json.loads(run("identity", "list", "--tenant", "contoso.example", "--json").output)
        assert [i["name"] for i in listed] == ["jobs"]


def test_federated_credential_create_list_delete(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Created with Entra's default audience, listed, refused when duplicated or insecure, deleted by name."""
    issuer = "https://token.actions.githubusercontent.com"
    with cli_runner(home, monkeypatch) as run:
        args = ("app", "federated-credential")
        made = run(*args, "create", "--id", "api://deployer", "--name", "main", "--issuer", issuer,
                   "--subject", "repo:o/r:ref:refs/heads/main", "--json")  # fmt: skip
        assert made.exit_code == 0, made.output
        assert json.loads(made.output)["audiences"] == ["api://AzureADTokenExchange"]
        duplicate = run(*args, "create", "--id", "api://deployer", "--name", "main", "--issuer", issuer,
                        "--subject", "other")  # fmt: skip
        assert duplicate.exit_code == 1 and "already exists" in duplicate.output
        insecure = run(*args, "create", "--id", "api://deployer", "--name", "x", "--issuer", "http://a.example",
                       "--subject", "s")  # fmt: skip
        assert insecure.exit_code == 1
        listed = json.loads(run(*args, "list", "--id", "api://deployer", "--json").output)
        assert [c["name"] for c in listed] == ["main"]
        gone = run(*args, "delete", "--id", "api://deployer", "--federated-credential-id", "main")
        assert gone.exit_code == 0, gone.output
        assert json.loads(run(*args, "list", "--id", "api://deployer", "--json").output) == []
