"""`tenantry tenant create|list`."""

from __future__ import annotations

import typer

from tenantry.cli.context import roles, services
from tenantry.cli.lockout import app as lockout_app
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.cli.password_policy import app as password_policy_app
from tenantry.cli.policy import app as policy_app
from tenantry.cli.sspr import app as sspr_app
from tenantry.cli.views import tenant_view
from tenantry.directory.models import Tenant
from tenantry.directory.service import DomainTakenError, InvalidDomainError
from tenantry.directory.users import UserError
from tenantry.passwords.policy import WeakPasswordError, check_password_policy, generate_password

GLOBAL_ADMINISTRATOR = "Global Administrator"

app = typer.Typer(help="Manage tenants (directories).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(password_policy_app, name="password-policy")
app.add_typer(lockout_app, name="lockout")
app.add_typer(sspr_app, name="sspr")


@app.command("create")
def create(
    domain: list[str] = typer.Option(..., "--domain", "-d", help="Verified domain; repeat for more."),
    name: str = typer.Option("", "--name", "-n", help="Display name."),
    tenant_id: str | None = typer.Option(None, "--id", help="Use this GUID instead of a random one."),
    admin: str | None = typer.Option(
        None, "--admin", help="Also create this user (UPN in one of the domains) as the tenant's Global Administrator."
    ),
    admin_password: str | None = typer.Option(
        None, "--admin-password", help="The administrator's password; default: a generated one, printed once."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a tenant owning the given domains (and, with --admin, its first Global Administrator)."""
    if admin_password is not None and admin is None:
        raise fail("--admin-password goes with --admin")
    if admin is not None:
        _check_admin(admin, admin_password, domain)
    try:
        tenant = services().directory.create_tenant(name, domain, tenant_id)
    except (InvalidDomainError, DomainTakenError) as exc:
        raise fail(str(exc)) from exc
    view = tenant_view(tenant)
    if admin is not None:
        view["admin"] = _create_admin(tenant, admin, admin_password)
    if as_json:
        print_json(view)
        return
    print_table(
        "Tenant created",
        ("id", "name", "domains"),
        [(tenant.id, tenant.display_name, ", ".join(tenant.domains))],
    )
    if admin is not None:
        typer.echo(f"Global Administrator: {admin}")
        if admin_password is None:
            typer.echo(f"Password (shown once): {view['admin']['password']}")


def _check_admin(upn: str, password: str | None, domains: list[str]) -> None:
    """Refuse a bad administrator before the tenant exists, so that a failure leaves nothing half made."""
    if upn.rpartition("@")[2].lower() not in {d.lower() for d in domains}:
        raise fail(f"--admin {upn}: the user principal name must be in one of the tenant's domains")
    if password is not None:
        try:
            check_password_policy(password)
        except WeakPasswordError as exc:
            raise fail(f"--admin-password: {exc}") from exc


def _create_admin(tenant: Tenant, upn: str, password: str | None) -> dict[str, str]:
    """The tenant's first user, made Global Administrator explicitly: nothing is implied by being first."""
    chosen = password or generate_password()
    try:
        user = services().users.create_user(tenant.id, upn, chosen, "Administrator")
    except (UserError, WeakPasswordError) as exc:
        raise fail(f"the tenant was created, but not its administrator: {exc}") from exc
    roles().assign_role(tenant.id, user.id, GLOBAL_ADMINISTRATOR)
    made = {"id": user.id, "userPrincipalName": user.user_principal_name, "role": GLOBAL_ADMINISTRATOR}
    return made if password else {**made, "password": chosen}


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
