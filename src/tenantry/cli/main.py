"""The `tenantry` root command."""

from __future__ import annotations

import typer

from tenantry import __version__
from tenantry.cli import app as app_commands
from tenantry.cli import (
    azure,
    conditional_access,
    error,
    expiring,
    identity,
    keys,
    logs,
    role,
    sp,
    sso,
    tap,
    tenant,
    user,
)
from tenantry.cli.arguments import CheckedGroup
from tenantry.cli.serve import dev_cert, serve

cli = typer.Typer(
    cls=CheckedGroup,
    help="Tenantry: a self-hosted identity platform that speaks Microsoft Entra ID's protocols.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
cli.command("serve")(serve)
cli.command("dev-cert")(dev_cert)
cli.add_typer(tenant.app, name="tenant")
user.app.add_typer(tap.app, name="tap")
user.app.add_typer(tap.mfa_app, name="mfa")
cli.add_typer(user.app, name="user")
cli.add_typer(user.group_app, name="group")
cli.add_typer(app_commands.app, name="app")
cli.add_typer(sp.app, name="sp")
cli.add_typer(keys.app, name="keys")
cli.add_typer(error.app, name="error")
cli.add_typer(expiring.app, name="credential")
cli.add_typer(role.app, name="role")
cli.add_typer(logs.app, name="logs")
cli.add_typer(conditional_access.app, name="ca")
cli.add_typer(azure.subscription_app, name="subscription")
cli.add_typer(identity.app, name="identity")
cli.add_typer(sso.app, name="sso")
cli.command("az-cloud")(azure.az_cloud)


@cli.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    """Entry point of the `tenantry` script."""
    cli()
