"""App registration > Owners: list, *Add owners* (a user by UPN, or a user or service principal by object
id) and remove after a confirmation page.

Adding and removing is Graph's `owners/$ref` rule: `APP_OWNERS`, and for an app whose service principal
holds privileged access (`apps/privilege.py`) only its owners or a caller who holds that access already
(`CallerRights.check_app_management`): an Application Administrator cannot make themself owner of such an
app and so reach its credentials.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import AppError
from tenantry.apps.models import Application
from tenantry.apps.operations import NotFoundError
from tenantry.apps.privilege import is_first_party
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.directory.principals import DirectoryPrincipal
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.secrets import check_management

MAX_REFERENCE = 256


def may_manage(call: AdminCall, app: Application) -> bool:
    """Whether the owner forms are offered (the POSTs check again)."""
    try:
        check_management(call, app, Action.APP_OWNERS)
    except AuthorizationError:
        return False
    return not is_first_party(app)


async def _page(call: AdminCall, app: Application, problem: str | None = None, status: int = 200) -> Response:
    owners = await to_thread.run_sync(call.deps.apps.list_owners, app)
    may = await to_thread.run_sync(may_manage, call, app)
    values = {
        "title": f"Owners - {app.display_name}",
        "app": app,
        "tab": "owners",
        "owners": owners,
        "may_manage": may,
        "problem": problem,
    }
    return call.page("admin/apps/owners.html", values, status=status)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/owners."""
    found = await app_call(deps, request)
    return found if isinstance(found, Response) else await _page(*found)


def _owner_id(call: AdminCall, reference: str) -> str:
    """A UPN names a user of the tenant; anything else is an object id (user or service principal)."""
    if "@" not in reference:
        return reference
    user = call.deps.users.find_tenant_user(call.tenant_id, reference)
    if user is None:
        raise NotFoundError(f"No user '{reference}' in this tenant.")
    return user.id


def _add(call: AdminCall, app: Application, reference: str) -> DirectoryPrincipal:
    check_management(call, app, Action.APP_OWNERS)
    return call.deps.apps.add_owner(app, _owner_id(call, reference), ctx=call.audit)


async def add(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/owners: *Add owners*."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    reference = fields.get("principal", "").strip()[:MAX_REFERENCE]
    try:
        await to_thread.run_sync(_add, call, app, reference)
    except AuthorizationError as err:
        return call.refused(err)
    except (AppError, NotFoundError) as err:
        return await _page(call, app, str(err), 400)
    return back(app, "owners")


def _owner(call: AdminCall, app: Application, owner_id: str) -> DirectoryPrincipal | None:
    return next((o for o in call.deps.apps.list_owners(app) if o.id == owner_id), None)


async def confirm_remove(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/owners/{owner_id}/remove: "Remove this owner?" with Remove and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    owner = await to_thread.run_sync(_owner, call, app, request.path_params["owner_id"])
    if owner is None:
        return await _page(call, app, "That principal is not an owner of the application.", 404)
    return call.page("admin/apps/remove_owner.html", {"title": "Remove owner", "app": app, "owner": owner})


def _remove(call: AdminCall, app: Application, owner_id: str) -> None:
    check_management(call, app, Action.APP_OWNERS)
    call.deps.apps.remove_owner(app, owner_id, ctx=call.audit)


async def remove(deps: AdminDeps, request: Request) -> Response:
    """POST …/owners/{owner_id}/remove."""
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, _ = found
    try:
        await to_thread.run_sync(_remove, call, app, request.path_params["owner_id"][:64])
    except AuthorizationError as err:
        return call.refused(err)
    except (AppError, NotFoundError) as err:
        return await _page(call, app, str(err), 404)
    return back(app, "owners")
