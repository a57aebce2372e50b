"""`tenantry sso enable|status|disable` and `tenantry user update --on-premises-*` (issue 14 §1, §2): keys
imported from a keytab, never printed; rollover; the 30-day warning; on-premises accounts unique per tenant."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import Result

from tenantry.app import build_services
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.clock import FixedClock
from tenantry.config import Settings
from tenantry.sso.keytab import KeytabEntry, write_keytab
from tenantry.sso.service import SeamlessSsoService

from .conftest import Run

DOMAIN = "sso-cli.example"
REALM = "CORP.EXAMPLE"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def _keytab(folder: Path, kvno: int) -> tuple[Path, bytes]:
    key = secrets.token_bytes(32)
    path = folder / f"http-{kvno}.keytab"
    path.write_bytes(write_keytab([KeytabEntry(REALM, "HTTP/login.sso-cli.example", kvno, 18, key, 1)]))
    return path, key


def test_enable_status_rollover_disable(run: Run, home: Path, tmp_path: Path) -> None:
    """Import kvno 2 then 3 (2 kept); status shows versions, never key bytes; disable empties it."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "SSO CLI")
    first, key2 = _keytab(tmp_path, 2)
    enabled = _json(run("sso", "enable", "--tenant", DOMAIN, "--realm", REALM, "--keytab", str(first), "--json"))
    assert enabled["keyVersions"] == [2] and enabled["servicePrincipals"] == ["HTTP/login.sso-cli.example"]
    second, key3 = _keytab(tmp_path, 3)
    run("sso", "enable", "--tenant", DOMAIN, "--realm", REALM, "--keytab", str(second))
    status = run("sso", "status", "--tenant", DOMAIN, "--json")
    assert _json(status)["realms"][0]["keyVersions"] == [3, 2] and not status.stderr
    stored = b"".join(path.read_bytes() for path in home.glob("tenantry.db*"))  # the database and its WAL
    for key in (key2, key3):
        assert key.hex() not in status.stdout and key not in stored
    older = run("sso", "enable", "--tenant", DOMAIN, "--realm", REALM, "--keytab", str(first), ok=False)
    assert older.exit_code == 1 and "newer key version" in older.stderr
    assert "Deleted 2 key(s)." in run("sso", "disable", "--tenant", DOMAIN, "--realm", REALM).stdout
    assert _json(run("sso", "status", "--tenant", DOMAIN, "--json")) == {"realms": []}
    activities = {entry["activityDisplayName"] for entry in _json(run("logs", "audit", "--tenant", DOMAIN, "--json"))}
    assert {"Enable Desktop SSO", "Disable Desktop SSO"} <= activities


def test_status_warns_when_the_key_is_older_than_thirty_days(run: Run, home: Path, tmp_path: Path) -> None:
    """A key imported 31 days ago: the table, and a warning on stderr."""
    tenant = _json(run("tenant", "create", "--domain", DOMAIN, "--name", "SSO CLI", "--json"))
    services = build_services(Settings(home=home))
    try:
        then = FixedClock(datetime.now(UTC) - timedelta(days=31))
        old = SeamlessSsoService(services.store.transaction, then, services.master_key)
        old.enable(
            tenant["id"],
            REALM,
            _keytab(tmp_path, 7)[0].read_bytes(),
            AuditContext(Actor("system", "t", "t"), then.now()),
        )
    finally:
        services.store.dispose()
    status = run("sso", "status", "--tenant", DOMAIN)
    assert REALM in status.stdout and "31" in status.stdout
    assert "warning: the key of CORP.EXAMPLE is 31 days old" in status.stderr


def test_on_premises_account_from_the_shell(run: Run) -> None:
    """`--on-premises-upn/-sam/-sid` set the account; another user cannot take the same principal."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "SSO CLI")
    ids = []
    for name in ("alice", "bob"):
        created = _json(
            run(
                "user",
                "create",
                "--tenant",
                DOMAIN,
                "--upn",
                f"{name}@{DOMAIN}",
                "--password",
                "Pa55-word-Long!",
                "--json",
            )
        )
        ids.append(created["id"])
    updated = _json(
        run(
            "user", "update", "--id", f"alice@{DOMAIN}", "--on-premises-upn", "alice@CORP.EXAMPLE",
            "--on-premises-sam", "alice", "--on-premises-sid", "S-1-5-21-1-2-3-1104", "--json",
        )
    )  # fmt: skip
    assert updated["onPremisesUserPrincipalName"] == "alice@CORP.EXAMPLE"
    assert updated["onPremisesSamAccountName"] == "alice" and updated["onPremisesSecurityIdentifier"].endswith("1104")
    taken = run("user", "update", "--id", ids[1], "--on-premises-upn", "ALICE@corp.example", ok=False)
    assert taken.exit_code == 1 and "already has this on-premises account" in taken.stderr
