"""App roles and scopes after they exist: *Disable* / *Enable*, and *Delete* once disabled, after a
confirmation page (Entra's order: whoever holds a role or scope loses it when it is disabled).

A change of `appRoles` or `api.oauth2PermissionScopes` is Graph's `PATCH /applications/{id}`:
`CallerRights.check(APP_UPDATE, app.id)`, owners included; `AppService.set_exposed_state` keeps the order.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import AppError
from tenantry.apps.models import Application, AppRole, PermissionScope
from tenantry.apps.operations import NotFoundError
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.app_expose import expose_page, roles_page
from tenantry.web.admin.app_tabs import app_call, app_form, back
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps

# kind → (tab path, what the page calls it)
KINDS = {"Role": ("roles", "app role"), "Scope": ("expose", "scope")}


def _item(app: Application, kind: str, item_id: str) -> AppRole | PermissionScope | None:
    items: tuple[AppRole | PermissionScope, ...] = app.app_roles if kind == "Role" else app.oauth2_permission_scopes
    return next((i for i in items if i.id == item_id), None)


def _tab(call: AdminCall, app: Application, kind: str, problem: str, status: int) -> Response:
    page = roles_page if kind == "Role" else expose_page
    return page(call, app, {"problem": problem}, status)


async def _change(deps: AdminDeps, request: Request, kind: str, *, deleting: bool) -> Response:
    found = await app_form(deps, request)
    if isinstance(found, Response):
        return found
    call, app, fields = found
    item_id = request.path_params["item_id"][:64]
    enabled = None if deleting else fields.get("state") == "enable"
    try:
        call.rights.check(Action.APP_UPDATE, app.id)
        await to_thread.run_sync(
            lambda: deps.apps.set_exposed_state(app, kind, item_id, enabled=enabled, ctx=call.audit)
        )
    except AuthorizationError as err:
        return call.refused(err)
    except (AppError, NotFoundError) as err:
        return _tab(call, app, kind, str(err), 400)
    return back(app, KINDS[kind][0])


async def _confirm(deps: AdminDeps, request: Request, kind: str) -> Response:
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    item = _item(app, kind, request.path_params["item_id"][:64])
    if item is None or item.is_enabled:
        return _tab(call, app, kind, f"Only a disabled {KINDS[kind][1]} can be deleted.", 400)
    tab, noun = KINDS[kind]
    values = {"title": f"Delete {noun}", "app": app, "item": item, "noun": noun, "tab_path": tab}
    return call.page("admin/apps/delete_exposed.html", values)


async def role_state(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/roles/{item_id}/state: *Disable* or *Enable* an app role."""
    return await _change(deps, request, "Role", deleting=False)


async def confirm_role_delete(deps: AdminDeps, request: Request) -> Response:
    """GET …/roles/{item_id}/delete: "Delete app role?" (a disabled one only)."""
    return await _confirm(deps, request, "Role")


async def role_delete(deps: AdminDeps, request: Request) -> Response:
    """POST …/roles/{item_id}/delete."""
    return await _change(deps, request, "Role", deleting=True)


async def scope_state(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/expose/scopes/{item_id}/state: *Disable* or *Enable* a scope."""
    return await _change(deps, request, "Scope", deleting=False)


async def confirm_scope_delete(deps: AdminDeps, request: Request) -> Response:
    """GET …/expose/scopes/{item_id}/delete: "Delete scope?" (a disabled one only)."""
    return await _confirm(deps, request, "Scope")


async def scope_delete(deps: AdminDeps, request: Request) -> Response:
    """POST …/expose/scopes/{item_id}/delete."""
    return await _change(deps, request, "Scope", deleting=True)
