"""`tenantry identity create|list|delete`: managed identities, and the environment that makes unmodified
`DefaultAzureCredential()` use them.

`create` prints the two secrets once, inside the variables to export. The URLs name the running server's
recorded public URL (`<home>/server.json`) or `TENANTRY_PUBLIC_URL`, never a guessed default port.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.apps.managed_identities import IdentityKind, ManagedIdentity, ManagedIdentityError, NewManagedIdentity
from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, load_settings, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.cli.server_record import read_record

app = typer.Typer(help="Managed identities (tokens through the App Service and IMDS endpoints).", no_args_is_help=True)


def _running_public_url() -> str:
    """`TENANTRY_PUBLIC_URL`, else the URL of the server running on this data directory, else exit 1."""
    settings = load_settings()
    if settings.public_url:
        return settings.public_url
    record = read_record(settings.home)
    if record is None or not record.alive:
        raise fail(
            f"no server is running on {settings.home}: start `tenantry serve` first (or set TENANTRY_PUBLIC_URL)"
        )
    return record.public_url


def identity_environment(new: NewManagedIdentity, public_url: str) -> dict[str, str]:
    """What azure-identity and msal-node read: the App Service pair, the IMDS host with its path secret, and
    for a user-assigned identity its client id (DefaultAzureCredential passes AZURE_CLIENT_ID on)."""
    env = {
        "IDENTITY_ENDPOINT": f"{public_url}/msi/token",
        "IDENTITY_HEADER": new.header_secret,
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": f"{public_url}/msi/{new.imds_secret}",
    }
    if new.identity.kind is IdentityKind.USER:
        env["AZURE_CLIENT_ID"] = new.identity.app_id
    return env


def _view(identity: ManagedIdentity) -> dict[str, Any]:
    return {
        "name": identity.name,
        "type": identity.kind.value,
        "clientId": identity.app_id,
        "principalId": identity.id,
        "tenantId": identity.tenant_id,
        "id": identity.resource_id,
    }


@app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    name: str = typer.Option(..., "--name", "-n", help="Name (1–128 characters, unique in the tenant)."),
    user_assigned: bool = typer.Option(False, "--user-assigned", help="User-assigned (else system-assigned)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a managed identity and print the environment to export (its secrets are shown only now).

    Use either the App Service pair (IDENTITY_ENDPOINT, IDENTITY_HEADER) or the IMDS host: with both set,
    azure-identity uses App Service."""
    owner = get_tenant(tenant)
    public_url = _running_public_url()
    kind = IdentityKind.USER if user_assigned else IdentityKind.SYSTEM
    try:
        new = services().managed_identities.create(owner.id, name, kind, ctx=cli_audit())
    except ManagedIdentityError as exc:
        raise fail(str(exc)) from exc
    env = identity_environment(new, public_url)
    if as_json:
        print_json({**_view(new.identity), "environment": env})
        return
    for variable, value in env.items():
        typer.echo(f"export {variable}='{value}'")


@app.command("list")
def list_identities(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The tenant's managed identities, oldest first (never their secrets)."""
    found = services().managed_identities.list(get_tenant(tenant).id)
    if as_json:
        print_json([_view(i) for i in found])
        return
    rows = [(i.name, i.kind.value, i.app_id, i.id) for i in found]
    print_table("Managed identities", ("name", "type", "clientId", "principalId"), rows)


@app.command("delete")
def delete(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    identity: str = typer.Option(..., "--identity", "-i", help="Name, client id or principal id."),
) -> None:
    """Delete an identity: its service principal, role assignments and secrets go at once."""
    try:
        gone = services().managed_identities.delete(get_tenant(tenant).id, identity, ctx=cli_audit())
    except ManagedIdentityError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Deleted managed identity {gone.name} ({gone.app_id}).")
