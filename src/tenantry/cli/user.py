"""`tenantry user …` and `tenantry group …`, shaped like `az ad user` / `az ad group`."""

from __future__ import annotations

from typing import Any

import typer

from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record, print_table
from tenantry.cli.views import iso
from tenantry.directory.models import Group, User
from tenantry.directory.users import PasswordRefusedError, UserError
from tenantry.passwords.policy import WeakPasswordError

app = typer.Typer(help="Manage users.", no_args_is_help=True)
group_app = typer.Typer(help="Manage groups.", no_args_is_help=True)


def user_view(user: User) -> dict[str, Any]:
    """Graph `user`, trimmed; never the password hash."""
    return {
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "displayName": user.display_name,
        "mail": user.mail,
        "accountEnabled": user.account_enabled,
        "givenName": user.given_name,
        "surname": user.surname,
        "tenantId": user.tenant_id,
        "createdDateTime": iso(user.created_at),
        "onPremisesUserPrincipalName": user.on_premises_user_principal_name,
        "onPremisesSamAccountName": user.on_premises_sam_account_name,
        "onPremisesSecurityIdentifier": user.on_premises_security_identifier,
    }


def group_view(group: Group) -> dict[str, Any]:
    """Graph `group`, trimmed."""
    return {"id": group.id, "displayName": group.display_name, "description": group.description}


def _get_user(upn: str) -> User:
    user = services().users.find_user(upn)
    if user is None:
        raise fail(f"user '{upn}' not found")
    return user


@app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    upn: str = typer.Option(..., "--upn", help="userPrincipalName in a verified domain of the tenant."),
    password: str = typer.Option(..., "--password", help="Initial password (8+ chars, 3 of 4 classes)."),
    display_name: str = typer.Option("", "--display-name"),
    mail: str | None = typer.Option(None, "--mail"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a cloud user."""
    try:
        user = services().users.create_user(get_tenant(tenant).id, upn, password, display_name, mail)
    except (UserError, WeakPasswordError, PasswordRefusedError) as exc:
        raise fail(str(exc)) from exc
    print_json(user_view(user)) if as_json else print_record(user_view(user))


@app.command("list")
def list_(tenant: str = typer.Option(..., "--tenant", "-t"), as_json: bool = JSON_OPTION) -> None:
    """List a tenant's users."""
    users = services().users.list_users(get_tenant(tenant).id)
    if as_json:
        print_json([user_view(u) for u in users])
    else:
        rows = [(u.user_principal_name, u.display_name, u.id, "yes" if u.account_enabled else "no") for u in users]
        print_table("Users", ("userPrincipalName", "displayName", "id", "enabled"), rows)


@app.command("disable")
def disable(upn: str = typer.Option(..., "--upn"), as_json: bool = JSON_OPTION) -> None:
    """Block sign-in (accountEnabled=false)."""
    user = services().users.set_enabled(_get_user(upn), False)
    print_json(user_view(user)) if as_json else typer.echo(f"Disabled {user.user_principal_name}.")


@app.command("enable")
def enable(upn: str = typer.Option(..., "--upn"), as_json: bool = JSON_OPTION) -> None:
    """Allow sign-in again (accountEnabled=true)."""
    user = services().users.set_enabled(_get_user(upn), True)
    print_json(user_view(user)) if as_json else typer.echo(f"Enabled {user.user_principal_name}.")


ID_OPTION = typer.Option(..., "--id", help="The user's userPrincipalName or object id.")


def _by_id(reference: str) -> User:
    """`--id`: a UPN, or an object id searched in every tenant (the CLI acts for the system)."""
    found = services().users.find_user(reference) if "@" in reference else None
    if found is None and "@" not in reference:
        tenants = services().directory.list_tenants()
        found = next((u for t in tenants if (u := services().users.find_tenant_user(t.id, reference))), None)
    if found is None:
        raise fail(f"user '{reference}' not found")
    return found


@app.command("reset-password")
def reset_password(
    reference: str = ID_OPTION,
    password: str | None = typer.Option(None, "--password", help="The new password; generated when omitted."),
    no_force_change: bool = typer.Option(False, "--no-force-change", help="Do not make the user change it."),
    as_json: bool = JSON_OPTION,
) -> None:
    """An administrator's reset (Graph resetPassword): the user must change the password at next sign-in
    unless --no-force-change; refresh tokens and SSO sessions are revoked. A generated password is printed
    once."""
    user = _by_id(reference)
    try:
        done = services().users.reset_password(user, password, force_change=not no_force_change)
    except (UserError, PasswordRefusedError) as exc:
        raise fail(str(exc)) from exc
    result: dict[str, Any] = {"userPrincipalName": user.user_principal_name}
    if done.generated_password is not None:
        result["password"] = done.generated_password
    result["forceChangePasswordNextSignIn"] = done.user.force_change_password_next_sign_in
    if as_json:
        print_json(result)
        return
    typer.echo(f"Reset the password of {user.user_principal_name}; its sessions and refresh tokens are revoked.")
    if done.generated_password is not None:
        typer.echo(f"Temporary password (shown once): {done.generated_password}")
    if done.user.force_change_password_next_sign_in:
        typer.echo("The user must change it at the next sign-in.")


@app.command("unlock")
def unlock(reference: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Lift the user's smart lockout at once, from every location (entra-reference §5.3: admins can unlock
    immediately); the counters start afresh. Audited as "Unlock user"."""
    user = _by_id(reference)
    was_locked = services().lockout.unlock(user.tenant_id, user.id, user.user_principal_name, cli_audit())
    if as_json:
        print_json({"userPrincipalName": user.user_principal_name, "wasLocked": was_locked})
        return
    state = "was locked; unlocked" if was_locked else "was not locked; its failed-attempt counts are cleared"
    typer.echo(f"{user.user_principal_name} {state}.")


@app.command("change-password")
def change_password(
    reference: str = ID_OPTION,
    current: str = typer.Option(..., "--current", help="The current password."),
    new: str = typer.Option(..., "--new", help="The new password (the tenant's password policy applies)."),
) -> None:
    """The user's own change (as Graph me/changePassword): refused with AADSTS120000 for a wrong current
    password, 120002/120003/120018 for a new one the policy refuses."""
    user = _by_id(reference)
    ctx = AuditContext(SYSTEM, services().clock.now())
    try:
        services().users.change_password(user, current, new, ctx=ctx)
    except PasswordRefusedError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Changed the password of {user.user_principal_name}.")


@app.command("revoke-sessions")
def revoke_sessions(reference: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Sign the user out everywhere (Graph revokeSignInSessions): refresh tokens and SSO sessions issued
    before now stop working (AADSTS50173, 50133)."""
    user = services().users.revoke_sessions(_by_id(reference))
    if as_json:
        print_json({"userPrincipalName": user.user_principal_name, "value": True})
    else:
        typer.echo(f"Revoked the sessions and refresh tokens of {user.user_principal_name}.")


@app.command("update")
def update(
    reference: str = ID_OPTION,
    display_name: str | None = typer.Option(None, "--display-name"),
    given_name: str | None = typer.Option(None, "--given-name"),
    surname: str | None = typer.Option(None, "--surname"),
    enabled: bool | None = typer.Option(None, "--enabled/--disabled", help="Allow or block sign-in."),
    on_premises_upn: str | None = typer.Option(
        None,
        "--on-premises-upn",
        help="On-premises UPN (Kerberos principal, e.g. alice@CORP.EXAMPLE) for seamless SSO.",
    ),
    on_premises_sam: str | None = typer.Option(None, "--on-premises-sam", help="On-premises sAMAccountName."),
    on_premises_sid: str | None = typer.Option(None, "--on-premises-sid", help="On-premises security identifier."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a user's names or sign-in state (Graph PATCH /users/{id}), or its on-premises account (what
    directory sync sets on Entra; read-only in Graph)."""
    user = _by_id(reference)
    wanted = {"display_name": display_name, "given_name": given_name, "surname": surname, "account_enabled": enabled}
    changes = {k: v for k, v in wanted.items() if v is not None}
    on_premises = {
        "on_premises_user_principal_name": on_premises_upn,
        "on_premises_sam_account_name": on_premises_sam,
        "on_premises_security_identifier": on_premises_sid,
    }
    account = {k: v.strip() or None for k, v in on_premises.items() if v is not None}
    if not changes and not account:
        raise fail(
            "nothing to change: give --display-name, --given-name, --surname, --enabled, --disabled or --on-premises-*"
        )
    try:
        updated = services().users.update_user(user, changes) if changes else user
        if account:
            updated = services().users.set_on_premises_account(updated, account)
    except UserError as exc:
        raise fail(str(exc)) from exc
    print_json(user_view(updated)) if as_json else print_record(user_view(updated))


@group_app.command("create")
def group_create(
    tenant: str = typer.Option(..., "--tenant", "-t"),
    name: str = typer.Option(..., "--name", "-n", help="Display name."),
    description: str = typer.Option("", "--description"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a security group."""
    try:
        group = services().users.create_group(get_tenant(tenant).id, name, description)
    except UserError as exc:
        raise fail(str(exc)) from exc
    print_json(group_view(group)) if as_json else print_record(group_view(group))


@group_app.command("add-member")
def group_add_member(
    group: str = typer.Option(..., "--group", "-g", help="Group id or display name."),
    member: str = typer.Option(..., "--member", help="The member's userPrincipalName."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a user to a group."""
    user = _get_user(member)
    found = services().users.find_group(user.tenant_id, group)
    if found is None:
        raise fail(f"group '{group}' not found in the user's tenant")
    try:
        services().users.add_member(found, user)
    except UserError as exc:
        raise fail(str(exc)) from exc
    result = {"group": found.id, "member": user.id}
    print_json(result) if as_json else typer.echo(f"Added {user.user_principal_name} to {found.display_name}.")


@group_app.command("list")
def group_list(tenant: str = typer.Option(..., "--tenant", "-t"), as_json: bool = JSON_OPTION) -> None:
    """List a tenant's groups."""
    groups = services().users.list_groups(get_tenant(tenant).id)
    if as_json:
        print_json([group_view(g) for g in groups])
    else:
        print_table("Groups", ("displayName", "id"), [(g.display_name, g.id) for g in groups])
