"""`tenantry sp update`: service-principal flags, shaped like `az ad sp update`."""

from __future__ import annotations

import typer

from tenantry.apps.service import AppError
from tenantry.cli.common import get_app, get_tenant
from tenantry.cli.context import services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record

app = typer.Typer(help="Manage service principals.", no_args_is_help=True)


@app.command("update")
def update(
    app_id: str = typer.Option(
        ..., "--id", help="appId, object id or App ID URI of the app (a URI as --tenant resolves it, if given)."
    ),
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Tenant of the SP (default: the app's)."),
    enabled: bool | None = typer.Option(None, "--enabled/--disabled", help="accountEnabled."),
    assignment_required: bool | None = typer.Option(
        None, "--assignment-required/--no-assignment-required", help="appRoleAssignmentRequired."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change accountEnabled or appRoleAssignmentRequired."""
    tenant_id = get_tenant(tenant).id if tenant else get_app(app_id).tenant_id
    try:
        sp = services().apps.update_service_principal(
            tenant_id, app_id, enabled=enabled, assignment_required=assignment_required
        )
    except AppError as exc:
        raise fail(str(exc)) from exc
    view = {
        "id": sp.id,
        "appId": sp.app_id,
        "accountEnabled": sp.account_enabled,
        "appRoleAssignmentRequired": sp.app_role_assignment_required,
    }
    print_json(view) if as_json else print_record(view)
