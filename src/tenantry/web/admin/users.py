"""Users (seed 004): the list with search, a user's overview and its commands: *Reset password*, *Revoke
sessions*, *Block* / *Unblock sign-in* (how each button shows: `user_commands.py`).

Every POST checks again with the same `CallerRights` method as Graph. The temporary password of a reset is
shown once, in the answer to the POST; the user must change it at next sign-in.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.models import User
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.user_commands import Target, commands, sign_in_action
from tenantry.web.admin.views import NO_STORE, admin_error

MAX_SEARCH = 100
NOTICES = {
    "revoked": "Sessions revoked: the user must sign in again everywhere.",
    "blocked": "Sign-in blocked.",
    "unblocked": "Sign-in unblocked.",
}


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
    values = {"title": "Users", "rows": rows, "search": search, "may_create": call.may(Action.USER_CREATE)}
    return call.page("admin/users/list.html", values)


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
    notice = NOTICES.get(request.query_params.get("done", ""))
    values = {"title": target.user.display_name, "target": target, "commands": commands(call.rights, target)}
    values["notice"] = notice
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


async def _command_target(deps: AdminDeps, request: Request) -> tuple[AdminCall, Target] | Response:
    """Session, target, then CSRF: the head of every command's POST."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    target = await _user(call, request.path_params["id"])
    if isinstance(target, Response):
        return target
    fields = await call.form()
    return fields if isinstance(fields, Response) else (call, target)


def _back(target: Target, done: str) -> Response:
    return RedirectResponse(f"/admin/users/{target.user.id}?done={done}", status_code=303, headers=NO_STORE)


async def revoke(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/users/{id}/revoke-sessions: refresh tokens and SSO sessions from before now stop working."""
    found = await _command_target(deps, request)
    if isinstance(found, Response):
        return found
    call, target = found
    try:
        if target.user.id != call.user.id:
            in_group = target.in_role_assignable_group
            call.rights.check_session_revocation(target.roles, target_in_role_assignable_group=in_group)
    except AuthorizationError as err:
        return call.refused(err)
    user, audit = target.user, call.audit
    await to_thread.run_sync(lambda: deps.users.revoke_sessions(user, ctx=audit))
    return _back(target, "revoked")


async def sign_in(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/users/{id}/sign-in: block an enabled user's sign-in, or unblock a blocked one."""
    found = await _command_target(deps, request)
    if isinstance(found, Response):
        return found
    call, target = found
    action = sign_in_action(target)
    try:
        in_group = target.in_role_assignable_group
        call.rights.check_sensitive_user_update(action, target.roles, target_in_role_assignable_group=in_group)
    except AuthorizationError as err:
        return call.refused(err)
    user, audit, enable = target.user, call.audit, action is Action.USER_ENABLE
    await to_thread.run_sync(lambda: deps.users.update_user(user, {"account_enabled": enable}, ctx=audit))
    return _back(target, "unblocked" if enable else "blocked")
