"""`/servicePrincipals`: an app's instance in the tenant, and `appRoleAssignedTo` (who holds its app roles).

Granting an app role of Microsoft Graph's service principal to a client's service principal is how an
admin gives an app Graph application permissions (what admin consent does).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.apps.models import ServicePrincipal
from tenantry.directory.authorization import Action
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import bad_request
from tenantry.graph.fields import APP_ROLE_ASSIGNMENT_FIELDS, SERVICE_PRINCIPAL_FIELDS
from tenantry.graph.listing import API_PREFIX, context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import (
    ERROR_RESPONSES,
    ListOptions,
    SelectOption,
    SpDep,
    check_app_role_grant,
    no_content,
    ok,
)
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.directory import (
    AppRoleAssignmentInput,
    AppRoleAssignmentResource,
    ServicePrincipalInput,
    ServicePrincipalPatch,
    ServicePrincipalResource,
    assignment_view,
    service_principal_view,
)

router = APIRouter(tags=["servicePrincipals"])


def sp_record(call: Call, sp: ServicePrincipal) -> dict[str, Any]:
    """The wire form of an SP, with what it inherits from its application."""
    app = call.deps.apps.find_app(sp.app_id)
    return service_principal_view(sp, app).wire()


@router.get(
    "/servicePrincipals",
    dependencies=[ListOptions],
    responses=ok(Collection[ServicePrincipalResource]),
    operation_id="servicePrincipals_list",
    summary="List the tenant's service principals.",
)
def list_service_principals(call: CallDep) -> Response:
    """Every service principal of the tenant (Microsoft Graph's included)."""
    call.rights.check(Action.SP_READ)
    records = [sp_record(call, sp) for sp in call.deps.apps.list_service_principals(call.tenant_id)]
    return call.page(records, SERVICE_PRINCIPAL_FIELDS, "servicePrincipals")


@router.post(
    "/servicePrincipals",
    status_code=201,
    responses={
        **ok(ServicePrincipalResource, 201, "Created."),
        409: {**ERROR_RESPONSES[400], "description": "The app already has a service principal here."},
    },
    operation_id="servicePrincipals_create",
    summary="Create the service principal of an app (of this tenant, or a multi-tenant app of another).",
)
def create_service_principal(body: Annotated[ServicePrincipalInput, Body()], call: CallDep) -> Response:
    """Graph `POST /servicePrincipals {"appId": …}`."""
    call.rights.check(Action.SP_CREATE)
    apps = call.deps.apps
    sp = apps.create_service_principal(call.tenant_id, str(body.app_id), ctx=call.audit)
    if body.account_enabled is not None or body.app_role_assignment_required is not None:
        sp = apps.change_service_principal(
            sp, enabled=body.account_enabled, assignment_required=body.app_role_assignment_required, ctx=call.audit
        )
    record = {"@odata.context": context_url(call.base_url, "servicePrincipals/$entity"), **sp_record(call, sp)}
    location = f"{call.base_url}{API_PREFIX}/servicePrincipals/{sp.id}"
    return GraphJson(record, status_code=201, headers={"Location": location})


@router.get(
    "/servicePrincipals/{id}",
    dependencies=[SelectOption],
    responses=ok(ServicePrincipalResource),
    operation_id="servicePrincipals_get",
    summary="Read one service principal.",
)
def get_service_principal(sp: SpDep, call: CallDep) -> Response:
    """One SP by object id."""
    call.rights.check(Action.SP_READ)
    record = sp_record(call, sp)
    return call.one(record, SERVICE_PRINCIPAL_FIELDS, "servicePrincipals")


@router.patch(
    "/servicePrincipals/{id}",
    status_code=204,
    responses=no_content("Updated."),
    operation_id="servicePrincipals_update",
    summary="Enable/disable a service principal or require app role assignments.",
)
def update_service_principal(sp: SpDep, body: Annotated[ServicePrincipalPatch, Body()], call: CallDep) -> Response:
    """`accountEnabled` and `appRoleAssignmentRequired`."""
    call.rights.check(Action.SP_UPDATE)
    call.deps.apps.change_service_principal(
        sp, enabled=body.account_enabled, assignment_required=body.app_role_assignment_required, ctx=call.audit
    )
    return Response(status_code=204)


@router.delete(
    "/servicePrincipals/{id}",
    status_code=204,
    responses=no_content("Deleted, with the app role assignments made on it."),
    operation_id="servicePrincipals_delete",
    summary="Delete a service principal (its application stays).",
)
def delete_service_principal(sp: SpDep, call: CallDep) -> Response:
    """The app's instance goes; the app registration stays."""
    call.rights.check(Action.SP_DELETE)
    call.deps.apps.delete_service_principal(sp, ctx=call.audit)
    return Response(status_code=204)


@router.get(
    "/servicePrincipals/{id}/appRoleAssignedTo",
    dependencies=[ListOptions],
    responses=ok(Collection[AppRoleAssignmentResource]),
    operation_id="servicePrincipals_listAppRoleAssignedTo",
    summary="Who holds app roles of this service principal.",
)
def list_app_role_assigned_to(sp: SpDep, call: CallDep) -> Response:
    """Every app role assignment whose resource is this SP."""
    call.rights.check(Action.SP_READ)
    roles = call.deps.roles
    records = [
        assignment_view(a, roles.find_principal(call.tenant_id, a.principal_id), sp).wire()
        for a in call.deps.apps.list_assigned_to(sp)
    ]
    path = f"servicePrincipals/{sp.id}/appRoleAssignedTo"
    return call.page(records, APP_ROLE_ASSIGNMENT_FIELDS, path)


@router.post(
    "/servicePrincipals/{id}/appRoleAssignedTo",
    status_code=201,
    responses=ok(AppRoleAssignmentResource, 201, "Granted."),
    operation_id="servicePrincipals_addAppRoleAssignedTo",
    summary="Grant an app role of this service principal to a user, group or service principal.",
)
def add_app_role_assigned_to(sp: SpDep, body: Annotated[AppRoleAssignmentInput, Body()], call: CallDep) -> Response:
    """`resourceId` must be this SP; `appRoleId` one of its app's roles (or the default-access empty GUID)."""
    check_app_role_grant(call, sp)
    if str(body.resource_id) != sp.id:
        raise bad_request("resourceId must be the id of the service principal in the URL.")
    assignment = call.deps.apps.assign_app_role(sp, str(body.principal_id), str(body.app_role_id), ctx=call.audit)
    principal = call.deps.roles.find_principal(call.tenant_id, assignment.principal_id)
    context = context_url(call.base_url, f"servicePrincipals('{sp.id}')/appRoleAssignedTo/$entity")
    return GraphJson({"@odata.context": context, **assignment_view(assignment, principal, sp).wire()}, status_code=201)
