"""The lifecycle commands of the CLI (Typer's CliRunner, TENANTRY_HOME in a temp dir): tenant policy,
`app credential reset --days/--share-link/--create-cert`, `credential expiring [--notify]`, `role assign|list`,
`app owner add|list`, `logs audit` and `app list`'s credential status. Each command builds its services
afresh, as a new `tenantry` process would."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tenantry.app import build_services, credential_lifecycle
from tenantry.config import Settings
from tenantry.credentials.secrets import SecretHasher

from .conftest import WEBHOOK_SECRET, Run, WebhookReceiver

DOMAIN = "cli.example"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def app_id(run: Run) -> str:
    """A tenant `cli.example` with one app registration; returns its appId."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "CLI", "--json")
    return str(_json(run("app", "create", "--tenant", DOMAIN, "--name", "Payroll", "--json"))["appId"])


def _reveal(home: Path, url: str) -> str:
    """Reveal a share link through the services, as the /share page does."""
    services = build_services(Settings(home=home))
    try:
        return credential_lifecycle(services).share_links.reveal(url.rsplit("/", 1)[1]).value
    finally:
        services.store.dispose()


def test_tenant_policy_caps_reset(run: Run, app_id: str) -> None:
    """`tenant policy set --max-secret-days 180` is shown by `show`; a reset with az's 1-year default or
    `--days 365` then fails with Entra's message, `--days 180` works; `--clear` lifts the cap."""
    policy = _json(run("tenant", "policy", "set", "--tenant", DOMAIN, "--max-secret-days", "180", "--json"))
    assert policy["applicationRestrictions"]["passwordCredentials"] == [
        {"restrictionType": "passwordLifetime", "maxLifetime": "P180D"}
    ]
    assert _json(run("tenant", "policy", "show", "--tenant", DOMAIN, "--json"))["maxSecretDays"] == 180
    for extra in ([], ["--days", "365"]):
        refused = run("app", "credential", "reset", "--id", app_id, *extra, "--json", ok=False)
        assert refused.exit_code == 1
        assert "Credential lifetime exceeds the max value allowed as per assigned policy" in refused.stderr
    created = _json(run("app", "credential", "reset", "--id", app_id, "--days", "180", "--json"))
    assert set(created) == {"appId", "password", "tenant"}
    run("tenant", "policy", "set", "--tenant", DOMAIN, "--clear")
    run("app", "credential", "reset", "--id", app_id, "--years", "2", "--append")
    assert run("app", "credential", "reset", "--id", app_id, "--days", "100", ok=False).exit_code == 1


def test_reset_with_share_link_prints_the_link_not_the_secret(run: Run, home: Path, app_id: str) -> None:
    """`--share-link` output has `shareLink` instead of `password`; the link reveals the secret that was
    registered (its hash matches) and nothing of it is printed."""
    result = run("app", "credential", "reset", "--id", app_id, "--share-link", "--link-ttl", "2h", "--json")
    out = _json(result)
    assert set(out) == {"appId", "shareLink", "shareLinkExpiresDateTime", "tenant"}
    assert out["shareLink"].startswith("https://localhost:8443/share/")
    expires = datetime.fromisoformat(out["shareLinkExpiresDateTime"].replace("Z", "+00:00"))
    assert timedelta(minutes=119) < expires - datetime.now(UTC) <= timedelta(hours=2)
    secret = _reveal(home, out["shareLink"])
    assert secret not in result.output
    services = build_services(Settings(home=home))
    try:
        found = services.apps.find_app(app_id)
        assert found is not None
        secrets, _ = services.credentials.list_credentials(found)
        assert SecretHasher(services.master_key).match(secret, secrets) is not None
    finally:
        services.store.dispose()


def test_create_cert_writes_a_private_pem_file(run: Run, home: Path, tmp_path: Path, app_id: str) -> None:
    """`--create-cert` writes key + certificate to a new 0600 file named in `fileWithCertAndPrivateKey`,
    registers the certificate, and refuses to overwrite a file; with `--share-link` the PEM goes into a link."""
    target = tmp_path / "payroll.pem"
    out = _json(
        run("app", "credential", "reset", "--id", app_id, "--create-cert", "--cert-file", str(target), "--json")
    )
    assert set(out) == {"appId", "fileWithCertAndPrivateKey", "tenant"}
    assert Path(out["fileWithCertAndPrivateKey"]) == target.resolve()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    pem = target.read_text()
    assert "-----BEGIN PRIVATE KEY-----" in pem
    assert "-----BEGIN CERTIFICATE-----" in pem
    certs = _json(run("app", "credential", "list", "--id", app_id, "--cert", "--json"))
    assert [c["status"] for c in certs] == ["valid"]
    again = run("app", "credential", "reset", "--id", app_id, "--create-cert", "--cert-file", str(target), ok=False)
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    linked = _json(
        run("app", "credential", "reset", "--id", app_id, "--create-cert", "--append", "--share-link", "--json")
    )
    assert "fileWithCertAndPrivateKey" not in linked
    assert _reveal(home, linked["shareLink"]).startswith("-----BEGIN PRIVATE KEY-----")
    assert len(_json(run("app", "credential", "list", "--id", app_id, "--cert", "--json"))) == 2
    default = _json(run("app", "credential", "reset", "--id", app_id, "--create-cert", "--append", "--json"))
    assert Path(default["fileWithCertAndPrivateKey"]).parent == tmp_path.resolve()


def test_credential_expiring_lists_and_notifies(
    run: Run, app_id: str, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`credential expiring --within 30d --json` lists without sending; `--notify` warns once (the webhook
    secret given as a `file:` reference) and a second `--notify` sends nothing more."""
    end = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    run("app", "credential", "reset", "--id", app_id, "--end-date", end)
    run("app", "credential", "reset", "--id", app_id, "--append", "--years", "1")
    listed = _json(run("credential", "expiring", "--within", "30d", "--json"))
    assert [(c["appId"], c["type"], c["daysRemaining"]) for c in listed["value"]] == [(app_id, "Password", 5)]
    assert "notification" not in listed
    assert _json(run("credential", "expiring", "--within", "2d", "--json"))["value"] == []
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text(WEBHOOK_SECRET + "\n")
    monkeypatch.setenv("TENANTRY_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("TENANTRY_WEBHOOK_SECRET", f"file:{secret_file}")
    first = _json(run("credential", "expiring", "--notify", "--json"))
    assert first["notification"] == {"warningsRecorded": 1, "delivered": 1, "failed": 0}
    second = _json(run("credential", "expiring", "--notify", "--json"))
    assert second["notification"] == {"warningsRecorded": 0, "delivered": 0, "failed": 0}
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["x-tenantry-signature"].startswith("sha256=")


def test_roles_owners_audit_log_and_app_list(run: Run, app_id: str) -> None:
    """`role assign` gives a built-in role (twice is an error), `role list` shows it, `app owner add` makes
    an owner, `logs audit` shows those changes newest first by the CLI's system actor, and `app list`
    shows the worst credential status."""
    run("user", "create", "--tenant", DOMAIN, "--upn", f"ada@{DOMAIN}", "--password", "Str0ng-Passw0rd!")
    assigned = _json(
        run("role", "assign", "--user", f"ada@{DOMAIN}", "--role", "Cloud Application Administrator", "--json")
    )
    assert (assigned["roleName"], assigned["principal"]) == ("Cloud Application Administrator", f"ada@{DOMAIN}")
    twice = run("role", "assign", "--user", f"ada@{DOMAIN}", "--role", "Cloud Application Administrator", ok=False)
    assert twice.exit_code == 1
    assert run("role", "assign", "--user", f"ada@{DOMAIN}", "--role", "Chief Wizard", ok=False).exit_code == 1
    listed = _json(run("role", "list", "--tenant", DOMAIN, "--json"))
    assert [(r["principal"], r["roleName"]) for r in listed] == [(f"ada@{DOMAIN}", "Cloud Application Administrator")]
    owner = _json(run("app", "owner", "add", "--id", app_id, "--user", f"ada@{DOMAIN}", "--json"))
    assert owner["userPrincipalName"] == f"ada@{DOMAIN}"
    assert [o["id"] for o in _json(run("app", "owner", "list", "--id", app_id, "--json"))] == [owner["id"]]
    end = (datetime.now(UTC) + timedelta(days=3, hours=1)).isoformat()
    run("app", "credential", "reset", "--id", app_id, "--end-date", end)
    records = _json(run("logs", "audit", "--tenant", DOMAIN, "--top", "3", "--json"))
    assert [r["activityDisplayName"] for r in records] == [
        "Update application – Certificates and secrets management",
        "Add owner to application",
        "Add member to role",
    ]
    assert all(r["initiatedBy"]["app"]["kind"] == "system" for r in records)
    assert all(r["initiatedBy"]["app"]["displayName"].startswith("Tenantry CLI (") for r in records)
    table = run("app", "list", "--tenant", DOMAIN).stdout
    assert "expiring in 4 days" in table
    assert "Add member to role" in run("logs", "audit").stdout


def test_tenant_create_with_an_explicit_global_administrator(run: Run) -> None:
    """`tenant create --admin UPN` creates the first user as Global Administrator, with a generated password
    printed once; nothing about being the first user is implied (issue 9: no implicit administrator)."""
    created = _json(run("tenant", "create", "--domain", "boss.example", "--admin", "root@boss.example", "--json"))
    admin = created["admin"]
    assert admin["userPrincipalName"] == "root@boss.example" and admin["role"] == "Global Administrator"
    assert len(admin["password"]) >= 12
    listed = _json(run("role", "list", "--tenant", "boss.example", "--json"))
    assert [a["principalId"] for a in listed] == [admin["id"]]
    plain = _json(run("tenant", "create", "--domain", "plain.example", "--json"))
    assert "admin" not in plain
    assert _json(run("role", "list", "--tenant", "plain.example", "--json")) == []


def test_tenant_create_refuses_a_bad_admin_before_creating_anything(run: Run) -> None:
    """An administrator outside the tenant's domains, or with a weak password, leaves no half-made tenant."""
    outside = run("tenant", "create", "--domain", "half.example", "--admin", "root@elsewhere.example", ok=False)
    assert outside.exit_code != 0 and "one of the tenant's domains" in outside.output
    weak = run("tenant", "create", "-d", "half.example", "--admin", "a@half.example", "--admin-password", "x", ok=False)
    assert weak.exit_code != 0 and "--admin-password" in weak.output
    tenants = _json(run("tenant", "list", "--json"))
    assert all(t["displayName"] != "half.example" for t in tenants)
