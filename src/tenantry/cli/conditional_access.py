"""`tenantry ca policy list|show|delete` and `tenantry ca location list|create|delete`: a tenant's
conditional access policies and named locations from the shell (creating a policy is Graph's job:
`POST /v1.0/identity/conditionalAccess/policies`, whose body is too rich for options).

Every change goes through `ConditionalAccessService`: checked as Graph checks it, and audited.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record, print_table
from tenantry.common.ids import is_guid
from tenantry.conditional_access.documents import conditions_document, grant_controls_document
from tenantry.conditional_access.models import ConditionalAccessPolicy, LocationKind, NamedLocation
from tenantry.conditional_access.service import ConditionalAccessError, LocationDraft

app = typer.Typer(help="Conditional access policies and named locations.", no_args_is_help=True)
policy_app = typer.Typer(help="A tenant's conditional access policies.", no_args_is_help=True)
location_app = typer.Typer(help="A tenant's named locations (IP ranges).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(location_app, name="location")

TENANT_OPTION = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain.")
ID_OPTION = typer.Option(..., "--id", help="The object id.")


def policy_view(policy: ConditionalAccessPolicy) -> dict[str, Any]:
    """A policy with Graph's property names."""
    return {
        "id": policy.id,
        "displayName": policy.display_name,
        "state": str(policy.state),
        "createdDateTime": policy.created_at.isoformat(),
        "modifiedDateTime": policy.modified_at.isoformat() if policy.modified_at else None,
        "conditions": conditions_document(policy.conditions),
        "grantControls": grant_controls_document(policy.grant_controls),
    }


def location_view(location: NamedLocation) -> dict[str, Any]:
    """A named location with Graph's property names (those of its kind)."""
    view: dict[str, Any] = {"id": location.id, "displayName": location.display_name, "kind": str(location.kind)}
    if location.kind is LocationKind.IP:
        return {**view, "ipRanges": list(location.ip_ranges), "isTrusted": location.is_trusted}
    return {**view, "countriesAndRegions": list(location.countries)}


def _object_id(value: str) -> str:
    """The object id given with --id, or exit 1 (the store compares ids, it does not parse them)."""
    if not is_guid(value):
        raise fail(f"'{value}' is not an object id")
    return value.lower()


def _controls(policy: ConditionalAccessPolicy) -> str:
    controls = policy.grant_controls
    return f" {controls.operator} ".join(str(c) for c in controls.built_in_controls)


@policy_app.command("list")
def list_policies(tenant: str = TENANT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The tenant's policies, oldest first."""
    policies = services().conditional_access.list_policies(get_tenant(tenant).id)
    if as_json:
        print_json([policy_view(p) for p in policies])
        return
    rows = [(p.id, p.display_name, str(p.state), _controls(p)) for p in policies]
    print_table("Conditional access policies", ("id", "displayName", "state", "grantControls"), rows)


@policy_app.command("show")
def show_policy(tenant: str = TENANT_OPTION, id: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """One policy (its conditions as Graph's JSON)."""
    policy = services().conditional_access.find_policy(get_tenant(tenant).id, _object_id(id))
    if policy is None:
        raise fail(f"policy '{id}' not found")
    view = policy_view(policy)
    print_json(view) if as_json else print_record(view)


@policy_app.command("delete")
def delete_policy(tenant: str = TENANT_OPTION, id: str = ID_OPTION) -> None:
    """Delete a policy. Audited."""
    if not services().conditional_access.delete_policy(get_tenant(tenant).id, _object_id(id), audit=cli_audit()):
        raise fail(f"policy '{id}' not found")
    typer.echo(f"Deleted policy {id}.")


@location_app.command("list")
def list_locations(tenant: str = TENANT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The tenant's named locations, oldest first."""
    locations = services().conditional_access.list_locations(get_tenant(tenant).id)
    if as_json:
        print_json([location_view(n) for n in locations])
        return
    rows = [(n.id, n.display_name, ", ".join(n.ip_ranges or n.countries), str(n.is_trusted)) for n in locations]
    print_table("Named locations", ("id", "displayName", "ranges", "trusted"), rows)


@location_app.command("create")
def create_location(
    tenant: str = TENANT_OPTION,
    name: str = typer.Option(..., "--name", help="Its display name."),
    cidr: list[str] = typer.Option(..., "--cidr", help="A CIDR range, e.g. 203.0.113.0/24; repeat for more."),
    trusted: bool = typer.Option(False, "--trusted", help="Mark it trusted (policies' AllTrusted)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an IP named location. Audited."""
    draft = LocationDraft(name, str(LocationKind.IP), tuple(cidr), is_trusted=trusted)
    try:
        location = services().conditional_access.create_location(get_tenant(tenant).id, draft, audit=cli_audit())
    except ConditionalAccessError as exc:
        raise fail(exc.message) from exc
    view = location_view(location)
    print_json(view) if as_json else print_record(view)


@location_app.command("delete")
def delete_location(tenant: str = TENANT_OPTION, id: str = ID_OPTION) -> None:
    """Delete a named location no policy uses. Audited."""
    try:
        deleted = services().conditional_access.delete_location(
            get_tenant(tenant).id, _object_id(id), audit=cli_audit()
        )
    except ConditionalAccessError as exc:
        raise fail(exc.message) from exc
    if not deleted:
        raise fail(f"named location '{id}' not found")
    typer.echo(f"Deleted named location {id}.")
