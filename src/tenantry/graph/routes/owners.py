"""`/applications/{id}/owners`: list, add (`owners/$ref` with `@odata.id`) and remove (`owners/{id}/$ref`).

Owners may manage the app's properties and credentials without any directory role (`OWNER_ACTIONS`).
Adding and removing owners is `microsoft.directory/applications/owners/update`.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the route factory closes over.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.common.ids import is_guid
from tenantry.directory.authorization import Action
from tenantry.graph.auth import CallDep
from tenantry.graph.errors import bad_request
from tenantry.graph.fields import DIRECTORY_OBJECT_FIELDS
from tenantry.graph.routes.common import (
    ListOptions,
    application_by_app_id,
    application_by_id,
    check_app_management,
    check_object_id,
    no_content,
    ok,
)
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.directory import DirectoryObjectResource, directory_object_view
from tenantry.graph.schemas.inputs import ReferenceInput

router = APIRouter(tags=["applications"])


def reference_id(odata_id: str) -> str:
    """The object id at the end of an `@odata.id` (`…/directoryObjects/{id}`, `…/users/{id}`, or a bare id)."""
    candidate = odata_id.rstrip("/").rsplit("/", 1)[-1]
    if not is_guid(candidate):
        raise bad_request(f"Invalid object identifier in '@odata.id': '{odata_id[:128]}'.")
    return candidate.lower()


def add_owner_routes(path: str, lookup: Callable[..., Application], suffix: str) -> None:
    """The owner endpoints of one application addressed by `path`."""
    target = Annotated[Application, Depends(lookup)]

    @router.get(
        f"{path}/owners",
        dependencies=[ListOptions],
        responses=ok(Collection[DirectoryObjectResource]),
        operation_id=f"applications_listOwners{suffix}",
        summary="List the application's owners (users and service principals).",
    )
    def list_owners(app: target, call: CallDep) -> Response:
        """Graph `GET …/owners`: users and service principals, as directory objects."""
        call.rights.check(Action.APP_READ, app.id)
        records = [directory_object_view(p) for p in call.deps.apps.list_owners(app)]
        path_here = f"applications/{app.id}/owners"
        return call.page(records, DIRECTORY_OBJECT_FIELDS, path_here, "directoryObjects")

    @router.post(
        f"{path}/owners/$ref",
        status_code=204,
        responses=no_content("Added."),
        operation_id=f"applications_addOwner{suffix}",
        summary='Add an owner: body `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`.',
    )
    def add_owner(app: target, body: Annotated[ReferenceInput, Body()], call: CallDep) -> Response:
        """Graph `POST …/owners/$ref`: a second add of the same owner is a 400, as on Graph."""
        check_app_management(call, Action.APP_OWNERS, app)
        call.deps.apps.add_owner(app, reference_id(body.odata_id), ctx=call.audit)
        return Response(status_code=204)

    @router.delete(
        f"{path}/owners/{{owner_id}}/$ref",
        status_code=204,
        responses=no_content("Removed."),
        operation_id=f"applications_removeOwner{suffix}",
        summary="Remove an owner.",
    )
    def remove_owner(app: target, owner_id: str, call: CallDep) -> Response:
        """Graph `DELETE …/owners/{id}/$ref`."""
        check_app_management(call, Action.APP_OWNERS, app)
        call.deps.apps.remove_owner(app, check_object_id(owner_id), ctx=call.audit)
        return Response(status_code=204)


add_owner_routes("/applications/{id}", application_by_id, "")
add_owner_routes("/applications(appId='{app_id}')", application_by_app_id, "_by_app_id")
