"""`tenantry role assign --group`: a built-in role for a role-assignable group (refused, saying why, for a group
not created role-assignable); `role list` names the group; exactly one of --user and --group."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from click.testing import Result

from tenantry.directory.models import Group

from .conftest import Run, ServicesFactory

DOMAIN = "roles-cli.example"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def test_role_assign_to_a_group(run: Run, make_services: ServicesFactory) -> None:
    """A plain group is refused; a role-assignable one holds the role, and `role list` shows it by name."""
    tenant_id = _json(run("tenant", "create", "--domain", DOMAIN, "--json"))["id"]
    run("group", "create", "--tenant", DOMAIN, "--name", "Plain", "--json")
    refused = run("role", "assign", "--group", "Plain", "--role", "Helpdesk Administrator", "-t", DOMAIN, ok=False)
    assert refused.exit_code == 1 and "not role-assignable" in refused.output
    services = make_services()
    group = Group(str(uuid.uuid4()), tenant_id, "Helpdesk", datetime.now(UTC), is_assignable_to_role=True)
    with services.store.transaction(write=True) as unit:
        unit.add_group(group)
    assigned = _json(
        run("role", "assign", "--group", "Helpdesk", "--role", "Helpdesk Administrator", "-t", DOMAIN, "--json")
    )
    assert (assigned["principalId"], assigned["principal"]) == (group.id, "Helpdesk")
    assert assigned["roleName"] == "Helpdesk Administrator"
    listed = _json(run("role", "list", "--tenant", DOMAIN, "--json"))
    assert [(r["principal"], r["roleName"]) for r in listed] == [("Helpdesk", "Helpdesk Administrator")]


def test_role_assign_needs_exactly_one_principal(run: Run) -> None:
    """Neither or both of --user and --group is a usage error; --group needs --tenant."""
    run("tenant", "create", "--domain", DOMAIN, "--json")
    neither = run("role", "assign", "--role", "Global Reader", ok=False)
    assert neither.exit_code == 1 and "exactly one of --user, --group and --sp" in neither.output
    both = run("role", "assign", "--user", f"a@{DOMAIN}", "--group", "g", "--role", "Global Reader", ok=False)
    assert both.exit_code == 1
    no_tenant = run("role", "assign", "--group", "g", "--role", "Global Reader", ok=False)
    assert no_tenant.exit_code == 1 and "--group needs --tenant" in no_tenant.output


def test_role_assign_to_a_service_principal(run: Run) -> None:
    """`--sp` names an app (appId); its service principal in the app's tenant gets the role, listed by name."""
    run("tenant", "create", "--domain", DOMAIN, "--json")
    app_id = _json(run("app", "create", "--tenant", DOMAIN, "--name", "Provisioner", "--json"))["appId"]
    assigned = _json(run("role", "assign", "--sp", app_id, "--role", "User Administrator", "--json"))
    assert (assigned["principal"], assigned["roleName"]) == ("Provisioner", "User Administrator")
    listed = _json(run("role", "list", "--tenant", DOMAIN, "--json"))
    assert [(r["principalId"], r["principal"]) for r in listed] == [(assigned["principalId"], "Provisioner")]
    unknown = run(
        "role", "assign", "--sp", "00000000-0000-0000-0000-00000000abcd", "--role", "User Administrator", ok=False
    )
    assert unknown.exit_code == 1
