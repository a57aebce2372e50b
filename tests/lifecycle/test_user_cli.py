"""`tenantry user reset-password | change-password | revoke-sessions | update` (issue 11 §4, §6, §7): the same
service methods as Graph, acting as the system (no role check), each audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tenantry.app import build_services
from tenantry.config import Settings
from tenantry.directory.models import User

from .conftest import Run

DOMAIN = "users-cli.example"
UPN = f"ada@{DOMAIN}"
PASSWORD = "Str0ng-Passw0rd!"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def ada(run: Run) -> str:
    """A tenant with one user, ada."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "Users CLI", "--json")
    run("user", "create", "--tenant", DOMAIN, "--upn", UPN, "--password", PASSWORD)
    return UPN


def _stored(home: Path) -> tuple[User, list[str]]:
    """Ada as stored, and the audit activities of her tenant (newest first)."""
    services = build_services(Settings(home=home))
    try:
        user = services.users.find_user(UPN)
        assert user is not None
        return user, [r.activity for r in services.audit.list_records(user.tenant_id)]
    finally:
        services.store.dispose()


def test_reset_password_generates_once_and_forces_a_change(run: Run, ada: str, home: Path) -> None:
    """--json prints the UPN, the generated password and the force flag; sessions are revoked; audited."""
    printed = _json(run("user", "reset-password", "--id", ada, "--json"))
    assert list(printed) == ["userPrincipalName", "password", "forceChangePasswordNextSignIn"]
    assert printed["userPrincipalName"] == ada and printed["forceChangePasswordNextSignIn"] is True
    assert len(printed["password"]) >= 8
    user, activities = _stored(home)
    assert user.force_change_password_next_sign_in and user.sign_in_sessions_valid_from is not None
    assert activities[0] == "Reset user password"


def test_reset_password_with_a_given_password(run: Run, ada: str, home: Path) -> None:
    """A given password is not printed; --no-force-change keeps the flag off; a weak one is refused."""
    printed = _json(
        run("user", "reset-password", "--id", ada, "--password", "Quartz-Lantern-47!", "--no-force-change", "--json")
    )
    assert printed == {"userPrincipalName": ada, "forceChangePasswordNextSignIn": False}
    weak = run("user", "reset-password", "--id", ada, "--password", "abcdefgh", ok=False)
    assert weak.exit_code == 1 and "AADSTS120002" in weak.output


def test_change_password(run: Run, ada: str) -> None:
    """A wrong current password is 120000; then the change succeeds and the old password no longer works."""
    wrong = run(
        "user", "change-password", "--id", ada, "--current", "Wrong-Passw0rd!", "--new", "Quartz-Lantern-47!", ok=False
    )
    assert wrong.exit_code == 1 and "AADSTS120000" in wrong.output
    run("user", "change-password", "--id", ada, "--current", PASSWORD, "--new", "Quartz-Lantern-47!")
    again = run("user", "change-password", "--id", ada, "--current", PASSWORD, "--new", "Other-Lantern-58!", ok=False)
    assert "AADSTS120000" in again.output


def test_revoke_sessions_and_update(run: Run, ada: str, home: Path) -> None:
    """revoke-sessions moves signInSessionsValidFrom; update changes names and blocks sign-in."""
    assert _json(run("user", "revoke-sessions", "--id", ada, "--json")) == {"userPrincipalName": ada, "value": True}
    assert _stored(home)[0].sign_in_sessions_valid_from is not None
    updated = _json(
        run("user", "update", "--id", ada, "--given-name", "Ada", "--surname", "Lovelace", "--disabled", "--json")
    )
    assert (updated["givenName"], updated["surname"], updated["accountEnabled"]) == ("Ada", "Lovelace", False)
    assert run("user", "update", "--id", ada, ok=False).exit_code == 1
    assert "not found" in run("user", "revoke-sessions", "--id", f"nobody@{DOMAIN}", ok=False).output
