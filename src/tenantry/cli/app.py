"""`tenantry app …`: app registrations, shaped like `az ad app`."""

from __future__ import annotations

import typer

from tenantry.apps.service import KEEP, AppError, ApplicationChanges, IdentifierUriTakenError
from tenantry.cli.common import get_app, get_tenant
from tenantry.cli.context import services
from tenantry.cli.credential import app as credential_app
from tenantry.cli.federated import app as federated_app
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record, print_table
from tenantry.cli.owner import app as owner_app
from tenantry.cli.views import application_view
from tenantry.credentials.status import credential_status

app = typer.Typer(help="Manage app registrations.", no_args_is_help=True)
app.add_typer(credential_app, name="credential")
app.add_typer(owner_app, name="owner")
app.add_typer(federated_app, name="federated-credential")
role_app = typer.Typer(help="Manage the app roles an app exposes.", no_args_is_help=True)
permission_app = typer.Typer(help="Manage the permissions an app requires.", no_args_is_help=True)
scope_app = typer.Typer(help="Manage the delegated permissions (scopes) an API exposes.", no_args_is_help=True)
app.add_typer(role_app, name="role")
app.add_typer(permission_app, name="permission")
app.add_typer(scope_app, name="scope")


@app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    name: str = typer.Option(..., "--name", "-n", help="Display name."),
    identifier_uri: list[str] = typer.Option([], "--identifier-uri", help="App ID URI; repeat for more."),
    redirect_uri: list[str] = typer.Option([], "--redirect-uri", help="Redirect URI; repeat for more."),
    platform: str = typer.Option("web", "--platform", help="Platform of the redirect URIs: web, spa or public."),
    public_client: bool = typer.Option(False, "--public-client", help="Allow public client flows."),
    token_version: int | None = typer.Option(None, "--access-token-version", help="1 or 2 (as a resource)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Register an app (and its service principal) in a tenant."""
    owner = get_tenant(tenant)
    try:
        created = services().apps.create_app(
            owner.id,
            name,
            identifier_uris=tuple(identifier_uri),
            redirect_uris=tuple((platform, uri) for uri in redirect_uri),
            public_client=public_client,
            access_token_version=token_version,
        )
    except (AppError, IdentifierUriTakenError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(application_view(created))
    else:
        print_record(application_view(created))


@app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List app registrations with the status of their credentials."""
    svc = services()
    tenants = [get_tenant(tenant)] if tenant else svc.directory.list_tenants()
    apps = [a for t in tenants for a in svc.apps.list_apps(t.id)]
    if as_json:
        print_json([application_view(a) for a in apps])
        return
    now = svc.clock.now()
    rows = []
    for a in apps:
        secrets, certs = svc.credentials.list_credentials(a)
        windows = [(c.start, c.end) for c in secrets] + [(c.start, c.end) for c in certs]
        statuses = [credential_status(start, end, now) for start, end in windows]
        rows.append((a.display_name, a.app_id, len(secrets), len(certs), _worst(statuses)))
    print_table("Applications", ("name", "appId", "secrets", "certificates", "credential status"), rows)


def _worst(statuses: list[str]) -> str:
    """The status an admin must see first: expired, then the soonest expiry, then valid."""
    if not statuses:
        return "no credentials"
    if "expired" in statuses:
        return "expired"
    expiring = sorted((s for s in statuses if s.startswith("expiring")), key=lambda s: int(s.split()[2]))
    return expiring[0] if expiring else "valid"


@app.command("show")
def show(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one app registration."""
    view = application_view(get_app(app_id))
    if as_json:
        print_json(view)
    else:
        print_record(view)


@app.command("update")
def update(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI."),
    display_name: str | None = typer.Option(None, "--display-name", help="New display name."),
    identifier_uri: list[str] | None = typer.Option(
        None, "--identifier-uri", help="App ID URI; repeat for more (replaces the app's list)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change an app registration, like `az ad app update`: only the options given change."""
    changes = ApplicationChanges(
        display_name=KEEP if display_name is None else display_name,
        identifier_uris=KEEP if identifier_uri is None else tuple(identifier_uri),
    )
    try:
        updated = services().apps.update_application(get_app(app_id), changes)
    except (AppError, IdentifierUriTakenError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(application_view(updated))
    else:
        print_record(application_view(updated))


@role_app.command("create")
def role_create(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI."),
    value: str = typer.Option(..., "--value", help="What the `roles` claim will carry."),
    display_name: str = typer.Option("", "--display-name"),
    member_types: list[str] = typer.Option(["Application"], "--member-type", help="Application and/or User."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Expose an app role."""
    try:
        role = services().apps.add_app_role(get_app(app_id), value, display_name, tuple(member_types))
    except AppError as exc:
        raise fail(str(exc)) from exc
    view = {
        "id": role.id,
        "value": role.value,
        "displayName": role.display_name,
        "allowedMemberTypes": list(role.allowed_member_types),
    }
    if as_json:
        print_json(view)
    else:
        print_record(view)


@permission_app.command("add")
def permission_add(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI of the client app."),
    api: str = typer.Option(..., "--api", help="appId, object id or App ID URI of the API."),
    permission: str = typer.Option(..., "--permission", help="The permission's value or id."),
    kind: str = typer.Option("Role", "--type", help="Role (application permission) or Scope (delegated)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Require a permission on an API (`requiredResourceAccess`); grant it with `admin-consent`."""
    try:
        updated = services().apps.add_permission(get_app(app_id), api, permission, kind)
    except AppError as exc:
        raise fail(str(exc)) from exc
    view = application_view(updated)["requiredResourceAccess"]
    print_json(view) if as_json else print_record({"requiredResourceAccess": view})


@permission_app.command("admin-consent")
def permission_admin_consent(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI of the client app."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Grant every application permission the app requires, in its own tenant."""
    try:
        granted = services().apps.admin_consent(get_app(app_id))
    except AppError as exc:
        raise fail(str(exc)) from exc
    rows = [
        {"id": g.id, "principalId": g.principal_id, "resourceId": g.resource_id, "appRoleId": g.app_role_id}
        for g in granted
    ]
    if as_json:
        print_json(rows)
    else:
        print_table("Granted", ("appRoleId", "resourceId"), [(r["appRoleId"], r["resourceId"]) for r in rows])


@scope_app.command("create")
def scope_create(
    app_id: str = typer.Option(..., "--id", help="appId, object id or App ID URI of the API."),
    value: str = typer.Option(..., "--value", help="What the `scp` claim will carry."),
    consent_type: str = typer.Option("User", "--type", help="User (users may consent) or Admin."),
    display_name: str = typer.Option("", "--display-name"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Expose a delegated permission."""
    try:
        scope = services().apps.add_scope(get_app(app_id), value, consent_type, display_name)
    except AppError as exc:
        raise fail(str(exc)) from exc
    view = {
        "id": scope.id,
        "value": scope.value,
        "type": scope.type,
        "adminConsentDisplayName": scope.admin_consent_display_name,
    }
    print_json(view) if as_json else print_record(view)
