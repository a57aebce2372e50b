"""`/applications`: list, create, and read/update/delete one app by object id or by `(appId='…')`.

Reads need `Application.Read.All`-level rights (or ownership of the app); writes are checked per action
against the caller's roles, permissions and ownerships (`directory/authorization.py`). The creator of an
app becomes its owner, as in Entra.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the route factory closes over.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.directory.authorization import OWNED_BY, Action
from tenantry.graph.auth import CallDep
from tenantry.graph.fields import APPLICATION_FIELDS
from tenantry.graph.listing import API_PREFIX, context_url, selected
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import (
    ListOptions,
    SelectOption,
    application_by_app_id,
    application_by_id,
    application_record,
    no_content,
    ok,
    publisher_domain,
)
from tenantry.graph.schemas.applications import ApplicationResource
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.inputs import ApplicationInput

router = APIRouter(tags=["applications"])


@router.get(
    "/applications",
    dependencies=[ListOptions],
    responses=ok(Collection[ApplicationResource]),
    operation_id="applications_list",
    summary="List the tenant's applications (only owned ones for owners without a directory-wide role).",
)
def list_applications(call: CallDep) -> Response:
    """Every app the caller may read (an `OwnedBy` app: those it owns, maybe none); a caller that may read
    no app at all gets 403 naming the roles that would allow it."""
    rights = call.rights
    apps = call.deps.apps.list_apps(call.tenant_id)
    if not rights.allows(Action.APP_READ):
        apps = [a for a in apps if rights.allows(Action.APP_READ, a.id)]
        owned_by = call.caller.caller.is_app and OWNED_BY in call.caller.caller.permissions
        if not apps and not owned_by:
            rights.check(Action.APP_READ)
    domain = publisher_domain(call)
    records = [application_record(call, a, domain=domain) for a in apps]
    return call.page(records, APPLICATION_FIELDS, "applications")


@router.post(
    "/applications",
    status_code=201,
    responses=ok(ApplicationResource, 201, "Created; the caller is its first owner."),
    operation_id="applications_create",
    summary="Register an application (its service principal is a separate `POST /servicePrincipals`).",
)
def create_application(body: Annotated[ApplicationInput, Body()], call: CallDep) -> Response:
    """Graph `POST /applications`: `displayName` is required; the caller becomes an owner; as in Entra, no
    service principal is made (`az ad sp create --id` makes it next)."""
    call.rights.check(Action.APP_CREATE)
    deps = call.deps
    owner = deps.roles.find_principal(call.tenant_id, call.caller.caller.object_id)
    app = deps.apps.create_application(
        call.tenant_id, body.changes(), ctx=call.audit, owner=owner, with_service_principal=False
    )
    record = {"@odata.context": context_url(call.base_url, "applications/$entity"), **application_record(call, app)}
    location = f"{call.base_url}{API_PREFIX}/applications/{app.id}"
    return GraphJson(record, status_code=201, headers={"Location": location})


def add_entity_routes(path: str, lookup: Callable[..., Application], suffix: str) -> None:
    """GET, PATCH and DELETE on one application addressed by `path` (`{id}` or `(appId='{app_id}')`)."""
    target = Annotated[Application, Depends(lookup)]

    @router.get(
        path,
        dependencies=[SelectOption],
        responses=ok(ApplicationResource),
        operation_id=f"applications_get{suffix}",
        summary="Read one application (`$select=keyCredentials` includes the certificates' `key`).",
    )
    def get_application(app: target, call: CallDep) -> Response:
        """Graph `GET /applications/{id}`: owners and readers of the directory may read it."""
        call.rights.check(Action.APP_READ, app.id)
        select = selected(call.request, APPLICATION_FIELDS)
        record = application_record(call, app, with_keys=select is not None and "keyCredentials" in select)
        return call.one(record, APPLICATION_FIELDS, "applications")

    @router.patch(
        path,
        status_code=204,
        responses=no_content("Updated."),
        operation_id=f"applications_update{suffix}",
        summary="Update an application's properties (credentials change through addPassword/addKey).",
    )
    def update_application(app: target, body: Annotated[ApplicationInput, Body()], call: CallDep) -> Response:
        """Graph `PATCH`: only the properties the body names change; 204 No Content."""
        call.rights.check(Action.APP_UPDATE, app.id)
        call.deps.apps.update_application(app, body.changes(), ctx=call.audit)
        return Response(status_code=204)

    @router.delete(
        path,
        status_code=204,
        responses=no_content("Deleted, with its credentials, owners and service principal."),
        operation_id=f"applications_delete{suffix}",
        summary="Delete an application.",
    )
    def delete_application(app: target, call: CallDep) -> Response:
        """Graph `DELETE`: the app goes with its credentials, owners and home-tenant service principal."""
        call.rights.check(Action.APP_DELETE, app.id)
        call.deps.apps.delete_application(app, ctx=call.audit)
        return Response(status_code=204)


add_entity_routes("/applications/{id}", application_by_id, "")
add_entity_routes("/applications(appId='{app_id}')", application_by_app_id, "_by_app_id")
