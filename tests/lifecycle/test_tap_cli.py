"""`tenantry user tap create` (issue 12 §3): the pass printed once (stored as its hash), the lifetime checked,
audited as "Admin registered security info"."""

from __future__ import annotations

import json
from pathlib import Path

from tenantry.app import build_services
from tenantry.config import Settings
from tenantry.sessions.mfa import hash_pass

from .conftest import Run

DOMAIN = "tap-cli.example"
UPN = f"ada@{DOMAIN}"


def test_tap_create_prints_the_pass_once(run: Run, home: Path) -> None:
    """--json: the pass, its lifetime and once-only flag; the store has its hash; 5 minutes is refused."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "TAP CLI", "--json")
    run("user", "create", "--tenant", DOMAIN, "--upn", UPN, "--password", "Str0ng-Passw0rd!")
    printed = json.loads(run("user", "tap", "create", "--id", UPN, "--minutes", "90", "--once", "--json").stdout)
    assert printed["userPrincipalName"] == UPN and len(printed["temporaryAccessPass"]) == 12
    assert (printed["lifetimeInMinutes"], printed["isUsableOnce"]) == (90, True)
    services = build_services(Settings(home=home))
    try:
        user = services.users.find_user(UPN)
        assert user is not None
        [method] = services.auth_methods.list_methods(user)
        assert method.pass_hash == hash_pass(printed["temporaryAccessPass"])
        assert services.audit.list_records(user.tenant_id)[0].activity == "Admin registered security info"
    finally:
        services.store.dispose()
    refused = run("user", "tap", "create", "--id", UPN, "--minutes", "5", ok=False)
    assert refused.exit_code == 1
    assert "10 to 43200" in refused.stderr


def test_mfa_set_and_show(run: Run) -> None:
    """`user mfa set --state enforced` then `show`; an unknown state is refused."""
    run("tenant", "create", "--domain", "mfa-cli.example", "--name", "MFA CLI", "--json")
    upn = "bob@mfa-cli.example"
    run("user", "create", "--tenant", "mfa-cli.example", "--upn", upn, "--password", "Str0ng-Passw0rd!")
    shown = json.loads(run("user", "mfa", "set", "--id", upn, "--state", "enforced", "--json").stdout)
    assert shown == {"userPrincipalName": upn, "perUserMfaState": "enforced", "authenticatorApp": False}
    assert json.loads(run("user", "mfa", "show", "--id", upn, "--json").stdout)["perUserMfaState"] == "enforced"
    assert run("user", "mfa", "set", "--id", upn, "--state", "maybe", ok=False).exit_code == 1
