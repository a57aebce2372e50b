"""Users > *New user*: user principal name, display name, a generated temporary password shown once, and
*Require password change on next sign-in* (on unless unticked).

Graph's `POST /users`: `CallerRights.check(USER_CREATE)` and `UserService.add_user`, which holds the UPN
rules (a verified domain of the tenant, not taken) and the tenant's password policy. The password exists
only in the answer to the POST, as a reset's does.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.models import User
from tenantry.directory.user_changes import NewUser, UserError
from tenantry.passwords.policy import WeakPasswordError, generate_password
from tenantry.passwords.service import PasswordPolicyError
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps

MAX_FIELD = 256


def _form(call: AdminCall, extra: dict[str, object] | None = None, status: int = 200) -> Response:
    return call.page("admin/users/new.html", {"title": "New user", **(extra or {})}, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/users/new."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    refused = call.refusal(Action.USER_CREATE)
    return refused if refused is not None else _form(call)


def _create(call: AdminCall, fields: dict[str, str], password: str) -> User:
    upn = fields.get("upn", "").strip()[:MAX_FIELD]
    name = fields.get("display_name", "").strip()[:MAX_FIELD] or upn.partition("@")[0]
    force = fields.get("force_change") == "yes"
    new = NewUser(upn, name, password, mail_nickname=upn.partition("@")[0], force_change_password_next_sign_in=force)
    return call.deps.users.add_user(call.tenant_id, new, ctx=call.audit)


async def create(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/users/new: the user, and their temporary password in this answer only."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    refused = call.refusal(Action.USER_CREATE)
    if refused is not None:
        return refused
    password = generate_password()
    try:
        user = await to_thread.run_sync(_create, call, fields, password)
    except (UserError, WeakPasswordError, PasswordPolicyError) as err:
        return _form(call, {"problem": str(err), "form": fields}, 400)
    force = fields.get("force_change") == "yes"
    values = {"title": "User created", "user": user, "password": password, "force": force}
    return call.page("admin/users/created.html", values)
