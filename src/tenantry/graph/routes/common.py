"""What the route modules share: documented responses, OData query parameters, and object lookups that
answer Graph's 400 for a malformed id and 404 for an id the caller's tenant does not have."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from tenantry.apps.models import Application, ServicePrincipal
from tenantry.apps.privilege import is_first_party
from tenantry.common.ids import is_guid
from tenantry.directory.authorization import Action
from tenantry.graph.auth import Call, CallerDep, Deps
from tenantry.graph.errors import bad_request, not_found
from tenantry.graph.schemas.applications import ApplicationResource, application_view
from tenantry.graph.schemas.common import ErrorResponse

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Request_BadRequest: a malformed id, body or OData option."},
    401: {"model": ErrorResponse, "description": "InvalidAuthenticationToken: no valid Graph token was sent."},
    403: {"model": ErrorResponse, "description": "Authorization_RequestDenied: names the roles that would allow it."},
    404: {"model": ErrorResponse, "description": "Request_ResourceNotFound."},
}


def ok(model: Any, status: int = 200, description: str = "Success.") -> dict[int | str, dict[str, Any]]:
    """The documented success answer plus the error answers every Graph route may give."""
    return {status: {"model": model, "description": description}, **ERROR_RESPONSES}


def no_content(description: str = "Done.") -> dict[int | str, dict[str, Any]]:
    """A 204 answer plus the error answers."""
    return {204: {"description": description}, **ERROR_RESPONSES}


def odata_list_options(
    select: Annotated[str | None, Query(alias="$select", description="Comma-separated properties.")] = None,
    filter_: Annotated[
        str | None, Query(alias="$filter", description="eq, ne, in, startswith, not, and, or on filterable properties.")
    ] = None,
    top: Annotated[str | None, Query(alias="$top", description="Page size, 1–999 (default 100).")] = None,
    count: Annotated[str | None, Query(alias="$count", description="true adds @odata.count.")] = None,
    orderby: Annotated[str | None, Query(alias="$orderby", description="One sortable property, asc or desc.")] = None,
    skiptoken: Annotated[str | None, Query(alias="$skiptoken", description="From @odata.nextLink.")] = None,
) -> None:
    """Documents Graph's query options; `listing.odata_query` reads and validates them from the request."""


def odata_select_option(
    select: Annotated[str | None, Query(alias="$select", description="Comma-separated properties.")] = None,
) -> None:
    """Documents `$select` on a single resource."""


ListOptions = Depends(odata_list_options)
SelectOption = Depends(odata_select_option)


def check_object_id(value: str) -> str:
    """Graph refuses a malformed object id with 400 before looking anything up."""
    if not is_guid(value):
        raise bad_request(f"Invalid object identifier '{value[:64]}'.")
    return value.lower()


def application_by_id(id: str, caller: CallerDep, deps: Deps) -> Application:
    """`/applications/{id}`: by object id, in the caller's tenant."""
    app = deps.apps.find_application(caller.tenant_id, check_object_id(id))
    if app is None:
        raise not_found(id)
    return app


def application_by_app_id(app_id: str, caller: CallerDep, deps: Deps) -> Application:
    """`/applications(appId='{appId}')`: by appId, in the caller's tenant."""
    app = deps.apps.find_application_by_app_id(caller.tenant_id, check_object_id(app_id))
    if app is None:
        raise not_found(app_id)
    return app


def service_principal_by_id(id: str, caller: CallerDep, deps: Deps) -> ServicePrincipal:
    """`/servicePrincipals/{id}`: by object id, in the caller's tenant."""
    sp = deps.apps.find_service_principal(caller.tenant_id, check_object_id(id))
    if sp is None:
        raise not_found(id)
    return sp


SpDep = Annotated[ServicePrincipal, Depends(service_principal_by_id)]


def check_app_management(call: Call, action: Action, app: Application) -> None:
    """`APP_CREDENTIALS` / `APP_OWNERS` on `app`: an app holding privileged access needs more than app
    administration (`CallerRights.check_app_management`)."""
    owner = call.rights.owns(app.id)
    privileged = not owner and call.deps.apps.holds_privileged_access(app)
    call.rights.check_app_management(action, app.id, privileged=privileged)


def check_app_role_grant(call: Call, resource: ServicePrincipal) -> None:
    """Granting an app role of `resource`: its owners may, first-party resources need `CONSENT_ANY_API`."""
    app = call.deps.apps.find_app(resource.app_id)
    own_tenant = app is not None and app.tenant_id == call.tenant_id
    call.rights.check_app_role_grant(
        first_party=is_first_party(app), resource_application_id=app.id if own_tenant and app else None
    )


def publisher_domain(call: Call) -> str | None:
    """Graph's `publisherDomain`: the tenant's initial domain."""
    tenant = call.deps.directory.find_tenant(call.tenant_id)
    return tenant.initial_domain if tenant else None


def application_record(
    call: Call, app: Application, *, with_keys: bool = False, domain: str | None = None
) -> dict[str, Any]:
    """The wire form of an app (credentials and computed status included); pass `domain` when listing."""
    deps = call.deps
    view: ApplicationResource = application_view(
        app,
        deps.credentials.list_credentials(app),
        deps.clock.now(),
        domain or publisher_domain(call),
        with_keys=with_keys,
    )
    return view.wire()
