"""`tenantry role assign|list`: built-in directory roles, shaped like `az role assignment` for Entra roles."""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_app, get_tenant
from tenantry.cli.context import cli_audit, roles, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record, print_table
from tenantry.cli.views import iso
from tenantry.directory.models import User
from tenantry.directory.role_service import RoleAssignmentExistsError, RoleError, RoleNotFoundError
from tenantry.directory.roles import BUILT_IN_ROLES, RoleAssignment, find_role

app = typer.Typer(help="Manage directory role assignments.", no_args_is_help=True)


def _user(upn: str) -> User:
    user = services().users.find_user(upn)
    if user is None:
        raise fail(f"user '{upn}' not found")
    return user


def assignment_view(assignment: RoleAssignment, principal: str = "") -> dict[str, Any]:
    """Graph `unifiedRoleAssignment`, plus the role's and principal's names for people."""
    role = find_role(assignment.role_definition_id)
    return {
        "id": assignment.id,
        "principalId": assignment.principal_id,
        "principal": principal,
        "roleDefinitionId": assignment.role_definition_id,
        "roleName": role.display_name if role else "",
        "directoryScopeId": assignment.directory_scope_id,
        "createdDateTime": iso(assignment.created_at),
    }


def _service_principal(reference: str, tenant: str | None) -> tuple[str, str, str]:
    """(tenant id, object id, name) of an app's service principal in `tenant` (default: the app's own)."""
    registered = get_app(reference)
    tenant_id = get_tenant(tenant).id if tenant else registered.tenant_id
    found = next(
        (sp for sp in services().apps.list_service_principals(tenant_id) if sp.app_id == registered.app_id), None
    )
    if found is None:
        raise fail(f"the app '{reference}' has no service principal in tenant '{tenant or tenant_id}'")
    return tenant_id, found.id, found.display_name


def _principal(user: str | None, group: str | None, sp: str | None, tenant: str | None) -> tuple[str, str, str]:
    """(tenant id, object id, name) of the user, group or service principal named on the command line."""
    if sum(option is not None for option in (user, group, sp)) != 1:
        raise fail("name exactly one of --user, --group and --sp")
    if sp is not None:
        return _service_principal(sp, tenant)
    if user is not None:
        member = _user(user)
        tenant_id = get_tenant(tenant).id if tenant else member.tenant_id
        if tenant_id != member.tenant_id:
            raise fail(f"user '{user}' is not a member of tenant '{tenant}'")
        return tenant_id, member.id, member.user_principal_name
    if tenant is None:
        raise fail("--group needs --tenant")
    tenant_id = get_tenant(tenant).id
    found = services().users.find_group(tenant_id, group or "")
    if found is None:
        raise fail(f"group '{group}' not found in tenant '{tenant}'")
    return tenant_id, found.id, found.display_name


@app.command("assign")
def assign(
    user: str | None = typer.Option(None, "--user", help="userPrincipalName of the user."),
    group: str | None = typer.Option(
        None, "--group", "-g", help="Id or display name of a role-assignable group (needs --tenant)."
    ),
    sp: str | None = typer.Option(
        None, "--sp", help="appId, object id or App ID URI of an app: its service principal gets the role."
    ),
    role: str = typer.Option(..., "--role", help="Role display name (e.g. 'Application Administrator') or id."),
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Tenant (default: the user's)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Give a user, a role-assignable group (its direct members hold the role) or an app's service principal
    a built-in directory role across the tenant (audited)."""
    tenant_id, principal_id, name = _principal(user, group, sp, tenant)
    try:
        assignment = roles().assign_role(tenant_id, principal_id, role, ctx=cli_audit())
    except RoleAssignmentExistsError as exc:
        raise fail(f"'{name}' already holds the role '{role}'") from exc
    except (RoleError, RoleNotFoundError) as exc:
        raise fail(str(exc)) from exc
    view = assignment_view(assignment, name)
    print_json(view) if as_json else print_record(view)


@app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Tenant (default: every tenant)."),
    user: str | None = typer.Option(None, "--user", help="Only this user's assignments."),
    definitions: bool = typer.Option(False, "--definitions", help="List the built-in roles instead."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List role assignments (or, with --definitions, the roles one can assign)."""
    if definitions:
        rows = [{"id": r.id, "displayName": r.display_name, "description": r.description} for r in BUILT_IN_ROLES]
        print_json(rows) if as_json else print_table(
            "Roles", ("displayName", "id"), [(r["displayName"], r["id"]) for r in rows]
        )
        return
    svc = services()
    member = _user(user) if user else None
    if member is not None:
        tenant_ids = [member.tenant_id]
    else:
        tenant_ids = [get_tenant(tenant).id] if tenant else [t.id for t in svc.directory.list_tenants()]
    names = {u.id: u.user_principal_name for t in tenant_ids for u in svc.users.list_users(t)}
    names.update({g.id: g.display_name for t in tenant_ids for g in svc.users.list_groups(t)})
    names.update({sp.id: sp.display_name for t in tenant_ids for sp in svc.apps.list_service_principals(t)})
    views = [
        assignment_view(a, names.get(a.principal_id, ""))
        for t in tenant_ids
        for a in roles().list_role_assignments(t, member.id if member else None)
    ]
    if as_json:
        print_json(views)
        return
    columns = ("principal", "roleName", "principalId", "id")
    print_table("Role assignments", columns, [[v[c] for c in columns] for v in views])
