"""`tenantry az-cloud` and `tenantry subscription create|list`: what the real Azure CLI needs from us.

`az-cloud` prints the az commands that register this server as a cloud. It names the server by the public
URL the running `serve` recorded in `<home>/server.json` (or `TENANTRY_PUBLIC_URL`), never a guessed
default: a cloud registered on the wrong port fails much later, inside `az login`.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import load_settings, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.cli.server_record import read_record
from tenantry.common.azure_cloud import AzureCloud
from tenantry.directory.subscriptions import Subscription, SubscriptionError

subscription_app = typer.Typer(
    help="Azure subscriptions of a tenant (for `az account list/set`).", no_args_is_help=True
)


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


def az_cloud(as_json: bool = JSON_OPTION) -> None:
    """Print the `az cloud register`, `az cloud set` and `az config set core.instance_discovery=false` commands
    for the running server (then `az login` works against it; REQUESTS_CA_BUNDLE must name its CA)."""
    try:
        cloud = AzureCloud.of(_running_public_url(), load_settings().arm_url)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(
            {
                "name": cloud.metadata()["name"],
                "publicUrl": cloud.public_url,
                "armUrl": cloud.arm_url,
                "commands": cloud.register_commands(),
            }
        )
        return
    for line in cloud.shell_lines():
        typer.echo(line)


def _view(subscription: Subscription) -> dict[str, Any]:
    """As `az account list` shows a subscription."""
    return {
        "id": subscription.id,
        "name": subscription.display_name,
        "tenantId": subscription.tenant_id,
        "state": subscription.state,
    }


@subscription_app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    name: str = typer.Option(..., "--name", "-n", help="Display name (1–64 characters)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a subscription to a tenant; its id is a new GUID."""
    owner = get_tenant(tenant)
    try:
        created = services().subscriptions.create(owner.id, name)
    except SubscriptionError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(_view(created))
        return
    print_table("Subscription created", ("id", "name", "tenant"), [(created.id, created.display_name, owner.id)])


@subscription_app.command("list")
def list_subscriptions(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The tenant's subscriptions, oldest first."""
    owner = get_tenant(tenant)
    found = services().subscriptions.list(owner.id)
    if as_json:
        print_json([_view(s) for s in found])
        return
    print_table("Subscriptions", ("id", "name", "state"), [(s.id, s.display_name, s.state) for s in found])
