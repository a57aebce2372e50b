"""`/applications/{id}/federatedIdentityCredentials`: list, create (201), get, update (204), delete (204),
in Graph v1.0's `federatedIdentityCredential` shape (`id`, `name`, `issuer`, `subject`, `audiences`,
`description`); an item is addressed by id or by name, as Graph allows.

A federated credential lets an external issuer's token stand in for a client secret, so reading needs the
right to read the app and every change the right to manage its credentials (`APP_CREDENTIALS`, with the
privileged-access rule of `check_app_management`): nobody gets a way to sign in as an app they could not
add a secret to.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the route factory closes over.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import Field
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.credentials.federated import (
    FederatedCredential,
    FederatedCredentialError,
    FederatedCredentialInput,
    FederatedCredentialService,
)
from tenantry.directory.authorization import Action
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import CONFLICT, NOT_FOUND, GraphError, bad_request
from tenantry.graph.listing import API_PREFIX, context_url
from tenantry.graph.odata.model import FieldSpec, FieldType
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import (
    ListOptions,
    application_by_app_id,
    application_by_id,
    check_app_management,
    no_content,
    ok,
)
from tenantry.graph.schemas.common import Collection, GraphInput, GraphModel

router = APIRouter(tags=["applications"])
S, G, L = FieldType.STRING, FieldType.GUID, FieldType.STRING_COLLECTION
FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "name": FieldSpec(S, sortable=True),
    "issuer": FieldSpec(S),
    "subject": FieldSpec(S),
    "audiences": FieldSpec(L),
    "description": FieldSpec(S),
}


class FederatedCredentialResource(GraphModel):
    """Graph `federatedIdentityCredential`."""

    id: str
    name: str
    issuer: str
    subject: str
    audiences: list[str]
    description: str | None = None


class FederatedCredentialCreate(GraphInput):
    """`POST …/federatedIdentityCredentials`."""

    name: str = Field(max_length=120)
    issuer: str = Field(max_length=600)
    subject: str = Field(max_length=600)
    audiences: list[str] | None = None
    description: str | None = Field(None, max_length=600)


class FederatedCredentialPatch(GraphInput):
    """`PATCH …/federatedIdentityCredentials/{id}`: the name cannot change."""

    name: str | None = None
    issuer: str | None = Field(None, max_length=600)
    subject: str | None = Field(None, max_length=600)
    audiences: list[str] | None = None
    description: str | None = Field(None, max_length=600)


def view(credential: FederatedCredential) -> dict[str, Any]:
    """The wire record."""
    return FederatedCredentialResource(
        id=credential.id,
        name=credential.name,
        issuer=credential.issuer,
        subject=credential.subject,
        audiences=list(credential.audiences),
        description=credential.description or None,
    ).wire()


def _service(call: Call) -> FederatedCredentialService:
    service = call.deps.federated_credentials
    if service is None:
        raise GraphError(404, NOT_FOUND, "federatedIdentityCredentials is not served here.")
    return service


def _graph_error(exc: FederatedCredentialError) -> GraphError:
    if exc.not_found:
        return GraphError(404, NOT_FOUND, str(exc))
    return GraphError(409, CONFLICT, str(exc)) if exc.conflict else bad_request(str(exc))


def add_federated_routes(path: str, lookup: Callable[..., Application], suffix: str) -> None:
    """The endpoints of one application addressed by `path`."""
    target = Annotated[Application, Depends(lookup)]
    collection = f"{path}/federatedIdentityCredentials"

    @router.get(
        collection,
        dependencies=[ListOptions],
        responses=ok(Collection[FederatedCredentialResource]),
        operation_id=f"applications_listFederatedIdentityCredentials{suffix}",
        summary="List the application's federated identity credentials.",
    )
    def list_credentials(app: target, call: CallDep) -> Response:
        """Every credential, oldest first."""
        call.rights.check(Action.APP_READ, app.id)
        records = [view(c) for c in _service(call).list(app)]
        return call.page(records, FIELDS, f"applications('{app.id}')/federatedIdentityCredentials")

    @router.post(
        collection,
        status_code=201,
        responses=ok(FederatedCredentialResource, 201, "Created."),
        operation_id=f"applications_createFederatedIdentityCredential{suffix}",
        summary="Trust an external issuer's tokens for one subject (audience api://AzureADTokenExchange by default).",
    )
    def create_credential(app: target, body: Annotated[FederatedCredentialCreate, Body()], call: CallDep) -> Response:
        """Entra's limits: 20 per app, name unique, issuer + subject unique, one audience."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        wanted = FederatedCredentialInput(body.name, body.issuer, body.subject, body.audiences, body.description)
        try:
            created = _service(call).add(app, wanted, ctx=call.audit)
        except FederatedCredentialError as exc:
            raise _graph_error(exc) from exc
        context = context_url(call.base_url, f"applications('{app.id}')/federatedIdentityCredentials/$entity")
        location = f"{call.base_url}{API_PREFIX}/applications/{app.id}/federatedIdentityCredentials/{created.id}"
        return GraphJson({"@odata.context": context, **view(created)}, status_code=201, headers={"Location": location})

    @router.get(
        f"{collection}/{{credential}}",
        responses=ok(FederatedCredentialResource),
        operation_id=f"applications_getFederatedIdentityCredential{suffix}",
        summary="Read one federated identity credential, by id or name.",
    )
    def get_credential(app: target, credential: str, call: CallDep) -> Response:
        """One credential."""
        call.rights.check(Action.APP_READ, app.id)
        try:
            found = _service(call).get(app, credential)
        except FederatedCredentialError as exc:
            raise _graph_error(exc) from exc
        return call.one(view(found), FIELDS, f"applications('{app.id}')/federatedIdentityCredentials/$entity")

    @router.patch(
        f"{collection}/{{credential}}",
        status_code=204,
        responses=no_content("Updated."),
        operation_id=f"applications_updateFederatedIdentityCredential{suffix}",
        summary="Change issuer, subject, audiences or description (the name is fixed).",
    )
    def update_credential(
        app: target, credential: str, body: Annotated[FederatedCredentialPatch, Body()], call: CallDep
    ) -> Response:
        """Graph PATCH: only the properties sent change."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        wanted = FederatedCredentialInput(
            body.name or "", body.issuer or "", body.subject or "", body.audiences, body.description
        )
        try:
            _service(call).update(app, credential, wanted, ctx=call.audit)
        except FederatedCredentialError as exc:
            raise _graph_error(exc) from exc
        return Response(status_code=204)

    @router.delete(
        f"{collection}/{{credential}}",
        status_code=204,
        responses=no_content("Deleted; the issuer's tokens for that subject are refused from now on."),
        operation_id=f"applications_deleteFederatedIdentityCredential{suffix}",
        summary="Delete a federated identity credential, by id or name.",
    )
    def delete_credential(app: target, credential: str, call: CallDep) -> Response:
        """The trust ends at once."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        try:
            _service(call).delete(app, credential, ctx=call.audit)
        except FederatedCredentialError as exc:
            raise _graph_error(exc) from exc
        return Response(status_code=204)


add_federated_routes("/applications/{id}", application_by_id, "")
add_federated_routes("/applications(appId='{app_id}')", application_by_app_id, "_by_app_id")
