"""Change password: exactly Graph's `me/changePassword` (`UserService.change_password`: the current password
must verify, 120000; the new one meets the tenant's policy, 120002/120003/120018, and differs from it).
The only check made here is the page's own: the two new passwords typed must match.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.directory.users import PasswordRefusedError
from tenantry.errors import Aadsts
from tenantry.web.myaccount.call import AccountCall, account_call
from tenantry.web.myaccount.deps import MyAccountDeps

TITLE = "Change password"
MAX_PASSWORD = 256


def _page(call: AccountCall, *, status: int = 200, **values: object) -> Response:
    return call.page("myaccount/password.html", {"title": TITLE, **values}, status=status)


async def show(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/password: the form."""
    call = await account_call(request, deps)
    return call if isinstance(call, Response) else _page(call)


async def change(deps: MyAccountDeps, request: Request) -> Response:
    """POST /myaccount/password: the service's change; a refusal says why, with its AADSTS code."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    current = fields.get("current_password", "")[:MAX_PASSWORD]
    new = fields.get("new_password", "")[:MAX_PASSWORD]
    if new != fields.get("confirm_password", "")[:MAX_PASSWORD]:
        return _page(call, status=400, error="The new passwords don't match.", field="confirm")
    user, audit = call.user, call.audit
    try:
        await to_thread.run_sync(lambda: deps.users.change_password(user, current, new, ctx=audit))
    except PasswordRefusedError as refused:
        err = refused.error
        field = "current" if err.code == Aadsts.PasswordChangeIncorrectCurrentPassword else "new"
        return _page(call, status=400, error=err.message, code=f"AADSTS{err.code}", field=field)
    return _page(call, notice="Your password was changed.")
