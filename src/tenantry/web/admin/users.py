"""Users (seed 004): the list with search, a user's overview and *Reset password*.

The reset button follows the who-may-reset table (`directory/password_reset.py`) through
`CallerRights.check_password_reset`, the very check Graph's `resetPassword` makes:
- absent when the administrator may reset nobody's password (not even a user without a role);
- disabled, with the reason in words tied by `aria-describedby`, when the target's roles are out of reach;
- enabled otherwise. The temporary password is shown once, in the answer to the POST; the user must
  change it at next sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.models import User
from tenantry.directory.password_reset import roles_that_may_reset
from tenantry.directory.roles import RoleDefinition
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import admin_error

MAX_SEARCH = 100


@dataclass(frozen=True)
class ResetButton:
    """How *Reset password* shows for one target: absent, enabled, or disabled with its reason."""

    shown: bool
    enabled: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Target:
    """A user and what decides who may reset them."""

    user: User
    roles: tuple[RoleDefinition, ...]
    in_role_assignable_group: bool


def _names(roles: list[RoleDefinition] | tuple[RoleDefinition, ...], *, plural: bool = False) -> str:
    names = [r.display_name + ("s" if plural else "") for r in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def reset_button(call: AdminCall, target: Target) -> ResetButton:
    """Ask `check_password_reset` twice: for a user without a role (may this admin reset anyone?) and for
    the target (may they reset this one?)."""
    try:
        call.rights.check_password_reset(())
    except AuthorizationError:
        return ResetButton(shown=False)
    try:
        call.rights.check_password_reset(target.roles, target_in_role_assignable_group=target.in_role_assignable_group)
    except AuthorizationError:
        allowed = roles_that_may_reset(target.roles, target_in_role_assignable_group=target.in_role_assignable_group)
        held = _names(target.roles) if target.roles else "membership of a role-assignable group"
        reason = f"You can't reset this user's password: they hold {held}; only {_names(allowed, plural=True)} can."
        return ResetButton(shown=True, enabled=False, reason=reason)
    return ResetButton(shown=True, enabled=True)


def _target(call: AdminCall, user: User) -> Target:
    authorizer = call.deps.authorizer
    roles = authorizer.roles_of_principal(call.tenant_id, user.id)
    return Target(user, tuple(roles), authorizer.is_in_role_assignable_group(call.tenant_id, user.id))


def _matches(user: User, search: str) -> bool:
    needle = search.lower()
    return not needle or needle in user.display_name.lower() or needle in user.user_principal_name.lower()


async def list_users(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/users[?search=]: the tenant's users, by display name."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    try:
        call.rights.check(Action.USER_READ)
    except AuthorizationError as err:
        return call.refused(err)
    search = request.query_params.get("search", "")[:MAX_SEARCH].strip()
    users = await to_thread.run_sync(deps.users.list_users, call.tenant_id)
    rows = sorted((u for u in users if _matches(u, search)), key=lambda u: u.display_name.lower())
    return call.page("admin/users/list.html", {"title": "Users", "rows": rows, "search": search})


async def _user(call: AdminCall, user_id: str) -> Target | Response:
    try:
        call.rights.check(Action.USER_READ)
    except AuthorizationError as err:
        return call.refused(err)
    user = await to_thread.run_sync(call.deps.users.find_tenant_user, call.tenant_id, user_id)
    if user is None or "@" in user_id:
        message = f"No user has the object id '{user_id[:64]}' in this tenant."
        return admin_error(call.request, "User not found", message, code="Request_ResourceNotFound", status=404)
    return await to_thread.run_sync(_target, call, user)


async def overview(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/users/{id}: the user's properties, roles and the *Reset password* button."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    target = await _user(call, request.path_params["id"])
    if isinstance(target, Response):
        return target
    values = {"title": target.user.display_name, "target": target, "button": reset_button(call, target)}
    return call.page("admin/users/overview.html", values)


async def reset(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/users/{id}/reset-password: a generated temporary password, shown once; the user must
    change it at next sign-in, and their sessions and refresh tokens are revoked (the service's reset)."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    target = await _user(call, request.path_params["id"])
    if isinstance(target, Response):
        return target
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        call.rights.check_password_reset(target.roles, target_in_role_assignable_group=target.in_role_assignable_group)
    except AuthorizationError as err:
        return call.refused(err)
    user, audit = target.user, call.audit
    done = await to_thread.run_sync(lambda: deps.users.reset_password(user, None, force_change=True, ctx=audit))
    values = {"title": "Password reset", "target": target, "password": done.generated_password}
    return call.page("admin/users/reset_done.html", values)
