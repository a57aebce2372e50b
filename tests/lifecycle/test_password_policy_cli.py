"""`tenantry tenant password-policy set|show` (entra-reference §5.2, §5.4): expiry days or never, custom
banned terms added and removed, usage errors, and the audit record of each change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from .conftest import Run

DOMAIN = "pwpolicy.example"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def tenant(run: Run) -> str:
    """A tenant `pwpolicy.example`."""
    run("tenant", "create", "--domain", DOMAIN, "--name", "Policy Co", "--json")
    return DOMAIN


def test_defaults_then_set_show_and_back_to_never(run: Run, tenant: str) -> None:
    """Never expires and no custom terms by default; each `set` changes only what it names."""
    shown = _json(run("tenant", "password-policy", "show", "--tenant", tenant, "--json"))
    assert shown["passwordValidityPeriodInDays"] is None
    assert shown["passwordsNeverExpire"] is True
    assert shown["bannedPasswordList"] == []
    args = ("--banned-add", "Contoso", "--banned-add", "blank", "--json")
    changed = _json(run("tenant", "password-policy", "set", "-t", tenant, "--expire-days", "90", *args))
    assert (changed["passwordValidityPeriodInDays"], changed["bannedPasswordList"]) == (90, ["contoso", "blank"])
    run("tenant", "password-policy", "set", "-t", tenant, "--banned-remove", "BLANK")
    shown = _json(run("tenant", "password-policy", "show", "--tenant", tenant, "--json"))
    assert (shown["passwordValidityPeriodInDays"], shown["bannedPasswordList"]) == (90, ["contoso"])
    never = _json(run("tenant", "password-policy", "set", "-t", tenant, "--never-expire", "--json"))
    assert never["passwordsNeverExpire"] is True
    assert never["bannedPasswordList"] == ["contoso"]
    table = run("tenant", "password-policy", "show", "--tenant", tenant).stdout
    assert "bannedPasswordList" in table
    assert "contoso" in table


def test_each_change_is_audited(run: Run, tenant: str) -> None:
    """`logs audit` shows "Set password policy" with the old and new validity."""
    run("tenant", "password-policy", "set", "-t", tenant, "--expire-days", "30")
    audit = run("logs", "audit", "--tenant", tenant, "--json")
    records = [r for r in _json(audit) if r["activityDisplayName"] == "Set password policy"]
    assert len(records) == 1
    assert records[0]["category"] == "DirectoryManagement"
    assert "30" in json.dumps(records[0]["targetResources"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--expire-days", "30", "--never-expire"), "usage error"),
        ((), "nothing to change"),
        (("--expire-days", "0"), "1 to 730 days"),
        (("--expire-days", "731"), "1 to 730 days"),
        (("--banned-add", "abc"), "4 to 16 characters"),
    ],
)
def test_refusals(run: Run, tenant: str, args: tuple[str, ...], message: str) -> None:
    """Exit 1 with a message; nothing changes."""
    refused = run("tenant", "password-policy", "set", "--tenant", tenant, *args, ok=False)
    assert refused.exit_code == 1
    assert message in refused.stderr
    assert _json(run("tenant", "password-policy", "show", "-t", tenant, "--json"))["passwordsNeverExpire"] is True


def test_unknown_tenant(run: Run) -> None:
    """An unknown tenant exits 1."""
    refused = run("tenant", "password-policy", "show", "--tenant", "nowhere.example", ok=False)
    assert refused.exit_code == 1
    assert "not found" in refused.stderr
