"""`tenantry tenant create|list`."""

from __future__ import annotations

import typer

from tenantry.cli.context import services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.cli.policy import app as policy_app
from tenantry.cli.views import tenant_view
from tenantry.directory.service import DomainTakenError, InvalidDomainError

app = typer.Typer(help="Manage tenants (directories).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@app.command("create")
def create(
    domain: list[str] = typer.Option(..., "--domain", "-d", help="Verified domain; repeat for more."),
    name: str = typer.Option("", "--name", "-n", help="Display name."),
    tenant_id: str | None = typer.Option(None, "--id", help="Use this GUID instead of a random one."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a tenant owning the given domains."""
    try:
        tenant = services().directory.create_tenant(name, domain, tenant_id)
    except (InvalidDomainError, DomainTakenError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(tenant_view(tenant))
    else:
        print_table(
            "Tenant created",
            ("id", "name", "domains"),
            [(tenant.id, tenant.display_name, ", ".join(tenant.domains))],
        )


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """List tenants."""
    tenants = services().directory.list_tenants()
    if as_json:
        print_json([tenant_view(t) for t in tenants])
    else:
        print_table(
            "Tenants",
            ("id", "name", "domains"),
            [(t.id, t.display_name, ", ".join(t.domains)) for t in tenants],
        )
