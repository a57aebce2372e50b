"""`tenantry ca location create|list|delete` and `tenantry ca policy list|show|delete` (issue 12 §4): checked
and audited through `ConditionalAccessService`, as Graph's changes are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from tenantry.app import build_services
from tenantry.conditional_access.models import ALL, ApplicationCondition, LocationCondition, UserCondition
from tenantry.conditional_access.service import PolicyDraft
from tenantry.config import Settings

from .conftest import Run

DOMAIN = "ca-cli.example"


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def _policy(home: Path, tenant_id: str, location_id: str) -> str:
    """A policy excluding the location, made through the services (Graph's job, not the CLI's)."""
    services = build_services(Settings(home=home))
    try:
        draft = PolicyDraft(
            "MFA away from the office",
            "enabled",
            UserCondition((ALL,)),
            ApplicationCondition((ALL,)),
            locations=LocationCondition((ALL,), (location_id,)),
            built_in_controls=("mfa",),
        )
        return services.conditional_access.create_policy(tenant_id, draft).id
    finally:
        services.store.dispose()


def test_locations_and_policies_from_the_shell(run: Run, home: Path) -> None:
    """Create a trusted location (JSON answer), list it; a bad range fails with the reason; a policy using
    the location is listed, shown and deleted; the location then goes; each change is in the audit log."""
    tenant = _json(run("tenant", "create", "--domain", DOMAIN, "--name", "CA CLI", "--json"))
    created = _json(
        run(
            "ca", "location", "create", "--tenant", DOMAIN, "--name", "Office",
            "--cidr", "203.0.113.0/24", "--cidr", "2001:db8::/32", "--trusted", "--json",
        )
    )  # fmt: skip
    assert created["ipRanges"] == ["203.0.113.0/24", "2001:db8::/32"] and created["isTrusted"] is True
    assert [n["id"] for n in _json(run("ca", "location", "list", "--tenant", DOMAIN, "--json"))] == [created["id"]]
    bad = run("ca", "location", "create", "--tenant", DOMAIN, "--name", "x", "--cidr", "10.0.0.300/8", ok=False)
    assert bad.exit_code == 1 and "not a valid CIDR range" in bad.stderr
    policy_id = _policy(home, tenant["id"], created["id"])
    listed = run("ca", "policy", "list", "--tenant", DOMAIN)
    assert "MFA away from the office" in listed.stdout and "mfa" in listed.stdout
    shown = _json(run("ca", "policy", "show", "--tenant", DOMAIN, "--id", policy_id, "--json"))
    assert shown["conditions"]["locations"]["excludeLocations"] == [created["id"]]
    in_use = run("ca", "location", "delete", "--tenant", DOMAIN, "--id", created["id"], ok=False)
    assert in_use.exit_code == 1 and "is used by conditional access policies" in in_use.stderr
    assert "Deleted policy" in run("ca", "policy", "delete", "--tenant", DOMAIN, "--id", policy_id).stdout
    assert "Deleted named location" in run("ca", "location", "delete", "--tenant", DOMAIN, "--id", created["id"]).stdout
    missing = run("ca", "policy", "show", "--tenant", DOMAIN, "--id", "not-an-id", ok=False)
    assert missing.exit_code == 1 and "is not an object id" in missing.stderr
    audit = run("logs", "audit", "--tenant", DOMAIN, "--json")
    activities = {entry["activityDisplayName"] for entry in _json(audit)}
    assert {"Add named location", "Delete named location", "Delete conditional access policy"} <= activities
