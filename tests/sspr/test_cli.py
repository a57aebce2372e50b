"""`tenantry tenant sspr set|show` (issue 12 §7's contract): `--enabled off|all|group [--group G] --methods
1|2` and the other settings; Entra's limits refused with a message; every change audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import cli_runner
from tenantry.app import build_services
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.config import Settings
from tenantry.directory.groups import NewGroup


def test_set_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    services = build_services(Settings(home=home, database_url=None, public_url=None, secret_key=None))
    tenant = services.directory.create_tenant("Contoso", ["contoso.example"])
    ctx = AuditContext(SYSTEM, services.clock.now())
    group = services.groups.create_group(tenant.id, NewGroup("Resetters", "resetters"), ctx=ctx)
    services.store.dispose()
    with cli_runner(home, monkeypatch) as run:
        shown = run("tenant", "sspr", "show", "--tenant", "contoso.example", "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.output)["enabled"] == "off"
        changed = run(
            "tenant", "sspr", "set", "--tenant", tenant.id, "--enabled", "group", "--group", group.id,
            "--methods", "2", "--allowed", "email,securityQuestions", "--questions-to-register", "5",
            "--questions-to-reset", "4", "--skip-days", "3", "--notify-admins", "--json",
        )  # fmt: skip
        assert changed.exit_code == 0, changed.output
        view = json.loads(changed.output)
        assert (view["enabled"], view["groupId"], view["numberOfMethodsRequired"]) == ("group", group.id, 2)
        assert view["methods"] == ["email", "securityQuestions"] and view["questionsToReset"] == 4
        assert view["skipDays"] == 3 and view["notifyAdmins"] is True and view["requireRegistration"] is True
        for bad in (
            ("--methods", "3"),
            ("--enabled", "group", "--group", "00000000-0000-0000-0000-000000000000"),
            ("--enabled", "sometimes"),
            ("--allowed", "mobileAppCode", "--methods", "1"),
            ("--questions-to-reset", "6"),
        ):
            refused = run("tenant", "sspr", "set", "--tenant", tenant.id, *bad)
            assert refused.exit_code == 1, (bad, refused.output)
        off = run("tenant", "sspr", "set", "--tenant", tenant.id, "--enabled", "all", "--methods", "1", "--json")
        assert json.loads(off.output)["groupId"] is None
    services = build_services(Settings(home=home, database_url=None, public_url=None, secret_key=None))
    records = services.audit.list_records(tenant.id)
    assert [r.activity for r in records].count("Set self-service password reset policy") == 2
    services.store.dispose()
