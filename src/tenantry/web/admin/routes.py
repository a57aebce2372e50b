"""The admin center's path table, bound to its dependencies (`app.py` builds them once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenantry.apps.first_party import ADMIN_CENTER_REDIRECT_PATH
from tenantry.web.admin import (
    app_auth,
    app_certificates,
    app_delete,
    app_expose,
    app_exposed_state,
    app_federated,
    app_new,
    app_owners,
    app_permissions,
    apps,
    enterprise,
    group_delete,
    groups,
    roles,
    secrets,
    signin,
    user_new,
    users,
)
from tenantry.web.admin.call import admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.monitoring import expiring_soon

Handler = Callable[[AdminDeps, Request], Awaitable[Response]]


async def home(deps: AdminDeps, request: Request) -> Response:
    """GET /admin: who is signed in, their roles, and the blades."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    expiring = await to_thread.run_sync(expiring_soon, call)
    values = {"title": "Tenantry admin center", "roles": call.rights.roles, "expiring": expiring}
    return call.page("admin/home.html", values)


async def sign_out(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/signout (CSRF-checked): the admin cookie goes, then the STS's sign-out page."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return signin.signed_out()
    fields = await call.form()
    return fields if isinstance(fields, Response) else signin.signed_out()


def admin_routes(deps: AdminDeps) -> list[BaseRoute]:
    """Every admin page and form."""

    def get(path: str, handler: Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["GET"])

    def post(path: str, handler: Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["POST"])

    return [
        get("/admin", home),
        get(ADMIN_CENTER_REDIRECT_PATH, signin.callback),
        post("/admin/signout", sign_out),
        get("/admin/apps", apps.list_apps),
        get("/admin/apps/new", app_new.show),
        post("/admin/apps/new", app_new.create),
        get("/admin/apps/{id}", apps.overview),
        get("/admin/apps/{id}/credentials", secrets.show),
        post("/admin/apps/{id}/credentials/secrets", secrets.add),
        post("/admin/apps/{id}/credentials/certificates", app_certificates.upload),
        post("/admin/apps/{id}/credentials/certificates/new", app_certificates.create),
        get("/admin/apps/{id}/credentials/{key_id}/delete", secrets.confirm_delete),
        post("/admin/apps/{id}/credentials/{key_id}/delete", secrets.delete),
        get("/admin/apps/{id}/authentication", app_auth.show),
        post("/admin/apps/{id}/authentication/uris", app_auth.add_uri),
        get("/admin/apps/{id}/authentication/remove", app_auth.confirm_remove),
        post("/admin/apps/{id}/authentication/remove", app_auth.remove_uri),
        post("/admin/apps/{id}/authentication/public-client", app_auth.public_client),
        get("/admin/apps/{id}/owners", app_owners.show),
        post("/admin/apps/{id}/owners", app_owners.add),
        get("/admin/apps/{id}/owners/{owner_id}/remove", app_owners.confirm_remove),
        post("/admin/apps/{id}/owners/{owner_id}/remove", app_owners.remove),
        get("/admin/apps/{id}/permissions", app_permissions.show),
        post("/admin/apps/{id}/permissions", app_permissions.add),
        get("/admin/apps/{id}/permissions/remove", app_permissions.confirm_remove),
        post("/admin/apps/{id}/permissions/remove", app_permissions.remove),
        post("/admin/apps/{id}/permissions/consent", app_permissions.consent),
        get("/admin/apps/{id}/expose", app_expose.show_expose),
        post("/admin/apps/{id}/expose/uris", app_expose.add_uri),
        get("/admin/apps/{id}/expose/uris/remove", app_expose.confirm_remove_uri),
        post("/admin/apps/{id}/expose/uris/remove", app_expose.remove_uri),
        post("/admin/apps/{id}/expose/scopes", app_expose.add_scope),
        get("/admin/apps/{id}/roles", app_expose.show_roles),
        get("/admin/apps/{id}/delete", app_delete.confirm),
        post("/admin/apps/{id}/delete", app_delete.delete),
        get("/admin/apps/{id}/federated", app_federated.show),
        post("/admin/apps/{id}/federated", app_federated.add),
        get("/admin/apps/{id}/federated/{credential_id}/delete", app_federated.confirm_delete),
        post("/admin/apps/{id}/federated/{credential_id}/delete", app_federated.delete),
        post("/admin/apps/{id}/roles", app_expose.add_role),
        post("/admin/apps/{id}/roles/{item_id}/state", app_exposed_state.role_state),
        get("/admin/apps/{id}/roles/{item_id}/delete", app_exposed_state.confirm_role_delete),
        post("/admin/apps/{id}/roles/{item_id}/delete", app_exposed_state.role_delete),
        post("/admin/apps/{id}/expose/scopes/{item_id}/state", app_exposed_state.scope_state),
        get("/admin/apps/{id}/expose/scopes/{item_id}/delete", app_exposed_state.confirm_scope_delete),
        post("/admin/apps/{id}/expose/scopes/{item_id}/delete", app_exposed_state.scope_delete),
        get("/admin/users", users.list_users),
        get("/admin/users/new", user_new.show),
        post("/admin/users/new", user_new.create),
        get("/admin/users/{id}", users.overview),
        post("/admin/users/{id}/reset-password", users.reset),
        post("/admin/users/{id}/revoke-sessions", users.revoke),
        post("/admin/users/{id}/sign-in", users.sign_in),
        get("/admin/groups", groups.list_groups),
        get("/admin/groups/new", groups.new),
        post("/admin/groups/new", groups.create),
        get("/admin/groups/{id}", groups.overview),
        post("/admin/groups/{id}/members", groups.add_member),
        get("/admin/groups/{id}/members/{member_id}/remove", groups.confirm_remove),
        post("/admin/groups/{id}/members/{member_id}/remove", groups.remove_member),
        get("/admin/groups/{id}/delete", group_delete.confirm),
        post("/admin/groups/{id}/delete", group_delete.delete),
        get("/admin/enterprise-apps", enterprise.list_enterprise_apps),
        get("/admin/enterprise-apps/{id}", enterprise.overview),
        post("/admin/enterprise-apps/{id}/properties", enterprise.update),
        post("/admin/enterprise-apps/{id}/assignments", enterprise.assign),
        get("/admin/roles", roles.list_roles),
        get("/admin/roles/{role_id}", roles.members),
        post("/admin/roles/{role_id}/assignments", roles.assign),
        get("/admin/roles/{role_id}/assignments/{id}/remove", roles.confirm_remove),
        post("/admin/roles/{role_id}/assignments/{id}/remove", roles.remove),
    ]
