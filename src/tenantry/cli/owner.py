"""`tenantry app owner add|list|remove`: who owns an app registration, shaped like `az ad app owner`.

Owners manage the app's credentials without a directory role and receive its expiry warnings by e-mail.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.apps.changes import AppError
from tenantry.apps.operations import NotFoundError
from tenantry.cli.common import get_app
from tenantry.cli.context import cli_audit, owners, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.directory.models import User
from tenantry.directory.principals import DirectoryPrincipal

app = typer.Typer(help="Manage the owners of an app registration.", no_args_is_help=True)
ID_OPTION = typer.Option(..., "--id", help="appId, object id or App ID URI.")


def owner_view(principal: DirectoryPrincipal) -> dict[str, Any]:
    """Graph `directoryObject` as listed under `owners`."""
    kind = "#microsoft.graph.user" if principal.type == "User" else "#microsoft.graph.servicePrincipal"
    return {
        "@odata.type": kind,
        "id": principal.id,
        "displayName": principal.display_name,
        "userPrincipalName": principal.user_principal_name,
    }


def _user(upn: str) -> User:
    user = services().users.find_user(upn)
    if user is None:
        raise fail(f"user '{upn}' not found")
    return user


@app.command("add")
def add(
    app_id: str = ID_OPTION,
    user: str = typer.Option(..., "--user", help="userPrincipalName of the new owner."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a user of the app's tenant an owner (audited)."""
    target = get_app(app_id)
    member = _user(user)
    try:
        principal = owners().add_owner(target, member.id, ctx=cli_audit())
    except (AppError, NotFoundError) as exc:
        raise fail(str(exc)) from exc
    print_json(owner_view(principal)) if as_json else typer.echo(f"{user} now owns '{target.display_name}'.")


@app.command("list")
def list_(app_id: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the app's owners."""
    views = [owner_view(p) for p in owners().list_owners(get_app(app_id))]
    if as_json:
        print_json(views)
        return
    print_table(
        "Owners",
        ("displayName", "userPrincipalName", "id"),
        [(v["displayName"], v["userPrincipalName"], v["id"]) for v in views],
    )


@app.command("remove")
def remove(
    app_id: str = ID_OPTION,
    user: str = typer.Option(..., "--user", help="userPrincipalName of the owner to remove."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Remove an owner (audited)."""
    target = get_app(app_id)
    member = _user(user)
    try:
        owners().remove_owner(target, member.id, ctx=cli_audit())
    except NotFoundError as exc:
        raise fail(str(exc)) from exc
    print_json({"removed": member.id}) if as_json else typer.echo(f"{user} no longer owns '{target.display_name}'.")
