"""My Account's path table, bound to its dependencies (`app.py` builds them once), and its overview page.

It signs in like the admin center (`web/admin/signin.py`: the same first-party client, auth code + PKCE
through Tenantry's own authorize endpoint), with its own callback `/myaccount/signin` derived from the
public URL at run time and its own cookies on `/myaccount`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenantry.apps.first_party import MY_ACCOUNT_REDIRECT_PATH
from tenantry.web.admin import signin
from tenantry.web.myaccount import apps, password, security
from tenantry.web.myaccount.call import account_call
from tenantry.web.myaccount.deps import MyAccountDeps

Handler = Callable[[MyAccountDeps, Request], Awaitable[Response]]


async def overview(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount: the user's profile as Graph returns it (read-only), and their groups."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return call
    groups = await to_thread.run_sync(deps.users.list_groups_of, call.user)
    values = {"title": "Overview", "groups": sorted(g.display_name for g in groups)}
    return call.page("myaccount/overview.html", values)


async def sign_out(deps: MyAccountDeps, request: Request) -> Response:
    """POST /myaccount/signout (CSRF-checked): My Account's cookie goes, then the STS's sign-out page."""
    call = await account_call(request, deps)
    if isinstance(call, Response):
        return signin.signed_out(signin.MY_ACCOUNT_PORTAL)
    fields = await call.form()
    return fields if isinstance(fields, Response) else signin.signed_out(signin.MY_ACCOUNT_PORTAL)


async def callback(deps: MyAccountDeps, request: Request) -> Response:
    """GET /myaccount/signin: the admin center's callback, with My Account's cookies and landing page."""
    return await signin.callback(deps.admin, request, signin.MY_ACCOUNT_PORTAL)


def my_account_routes(deps: MyAccountDeps) -> list[BaseRoute]:
    """Every My Account page and form."""

    def get(path: str, handler: Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["GET"])

    def post(path: str, handler: Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["POST"])

    return [
        get("/myaccount", overview),
        get(MY_ACCOUNT_REDIRECT_PATH, callback),
        post("/myaccount/signout", sign_out),
        get("/myaccount/password", password.show),
        post("/myaccount/password", password.change),
        get("/myaccount/security-info", security.methods),
        get("/myaccount/security-info/add", security.add),
        get("/myaccount/security-info/{id}/remove", security.confirm_remove),
        post("/myaccount/security-info/{id}/remove", security.remove),
        get("/myaccount/sessions", security.sessions),
        post("/myaccount/sessions/revoke", security.revoke),
        get("/myaccount/apps", apps.list_apps),
        get("/myaccount/apps/{id}/revoke", apps.confirm_revoke),
        post("/myaccount/apps/{id}/revoke", apps.revoke),
    ]
