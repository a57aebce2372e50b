"""`/organization`, `/roleManagement/directory/roleDefinitions|roleAssignments` and `/auditLogs/directoryAudits`.

Role assignments are tenant-wide (`directoryScopeId` "/"); only a Global Administrator or a Privileged
Role Administrator (or an app with `RoleManagement.ReadWrite.Directory`) may create or delete them.
Directory audits come newest first, each change with its actor and correlation id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.roles import BUILT_IN_ROLES, find_role
from tenantry.graph.auth import CallDep
from tenantry.graph.errors import not_found
from tenantry.graph.fields import AUDIT_FIELDS, ORGANIZATION_FIELDS, ROLE_ASSIGNMENT_FIELDS, ROLE_DEFINITION_FIELDS
from tenantry.graph.listing import context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import ListOptions, SelectOption, check_object_id, no_content, ok
from tenantry.graph.schemas.audit import DirectoryAuditResource, audit_view
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.directory import (
    OrganizationResource,
    RoleAssignmentInput,
    RoleAssignmentResource,
    RoleDefinitionResource,
    organization_view,
    role_assignment_view,
    role_definition_view,
)

router = APIRouter()
ROLE_DEFINITIONS = "roleManagement/directory/roleDefinitions"
ROLE_ASSIGNMENTS = "roleManagement/directory/roleAssignments"
DIRECTORY_AUDITS = "auditLogs/directoryAudits"


@router.get(
    "/organization",
    tags=["organization"],
    dependencies=[ListOptions],
    responses=ok(Collection[OrganizationResource]),
    operation_id="organization_list",
    summary="The caller's tenant: id, displayName, verifiedDomains.",
)
def list_organization(call: CallDep) -> Response:
    """One entry: the tenant of the token."""
    call.rights.check(Action.ORGANIZATION_READ)
    tenant = call.deps.directory.find_tenant(call.tenant_id)
    records = [organization_view(tenant).wire()] if tenant else []
    return call.page(records, ORGANIZATION_FIELDS, "organization")


@router.get(
    f"/{ROLE_DEFINITIONS}",
    tags=["roleManagement"],
    dependencies=[ListOptions],
    responses=ok(Collection[RoleDefinitionResource]),
    operation_id="roleDefinitions_list",
    summary="The built-in directory roles (ids are Entra's template ids).",
)
def list_role_definitions(call: CallDep) -> Response:
    """Global Administrator, Application Administrator, Cloud Application Administrator, …"""
    call.rights.check(Action.ROLE_DEFINITION_READ)
    records = [role_definition_view(r).wire() for r in BUILT_IN_ROLES]
    return call.page(records, ROLE_DEFINITION_FIELDS, ROLE_DEFINITIONS)


@router.get(
    f"/{ROLE_DEFINITIONS}/{{id}}",
    tags=["roleManagement"],
    dependencies=[SelectOption],
    responses=ok(RoleDefinitionResource),
    operation_id="roleDefinitions_get",
    summary="One built-in role by id (template id).",
)
def get_role_definition(id: str, call: CallDep) -> Response:
    """A role by its template id."""
    call.rights.check(Action.ROLE_DEFINITION_READ)
    role = find_role(check_object_id(id))
    if role is None:
        raise not_found(id)
    record = role_definition_view(role).wire()
    return call.one(record, ROLE_DEFINITION_FIELDS, ROLE_DEFINITIONS)


@router.get(
    f"/{ROLE_ASSIGNMENTS}",
    tags=["roleManagement"],
    dependencies=[ListOptions],
    responses=ok(Collection[RoleAssignmentResource]),
    operation_id="roleAssignments_list",
    summary="The tenant's directory role assignments (`$filter=principalId eq '…'` narrows them).",
)
def list_role_assignments(call: CallDep) -> Response:
    """Every tenant-wide assignment."""
    call.rights.check(Action.ROLE_ASSIGNMENT_READ)
    records = [role_assignment_view(a).wire() for a in call.deps.roles.list_role_assignments(call.tenant_id)]
    return call.page(records, ROLE_ASSIGNMENT_FIELDS, ROLE_ASSIGNMENTS)


@router.post(
    f"/{ROLE_ASSIGNMENTS}",
    tags=["roleManagement"],
    status_code=201,
    responses=ok(RoleAssignmentResource, 201, "Assigned."),
    operation_id="roleAssignments_create",
    summary='Assign a built-in role: `principalId`, `roleDefinitionId`, `directoryScopeId` "/".',
)
def create_role_assignment(body: Annotated[RoleAssignmentInput, Body()], call: CallDep) -> Response:
    """Only Global Administrators and Privileged Role Administrators may assign roles."""
    call.rights.check(Action.ROLE_ASSIGNMENT_WRITE)
    assignment = call.deps.roles.assign_role(
        call.tenant_id,
        body.principal_id,
        body.role_definition_id,
        ctx=call.audit,
        directory_scope_id=body.directory_scope_id,
    )
    context = context_url(call.base_url, f"{ROLE_ASSIGNMENTS}/$entity")
    return GraphJson({"@odata.context": context, **role_assignment_view(assignment).wire()}, status_code=201)


@router.get(
    f"/{ROLE_ASSIGNMENTS}/{{id}}",
    tags=["roleManagement"],
    dependencies=[SelectOption],
    responses=ok(RoleAssignmentResource),
    operation_id="roleAssignments_get",
    summary="One role assignment.",
)
def get_role_assignment(id: str, call: CallDep) -> Response:
    """An assignment by id."""
    call.rights.check(Action.ROLE_ASSIGNMENT_READ)
    found = call.deps.roles.find_role_assignment(call.tenant_id, check_object_id(id))
    if found is None:
        raise not_found(id)
    record = role_assignment_view(found).wire()
    return call.one(record, ROLE_ASSIGNMENT_FIELDS, ROLE_ASSIGNMENTS)


@router.delete(
    f"/{ROLE_ASSIGNMENTS}/{{id}}",
    tags=["roleManagement"],
    status_code=204,
    responses=no_content("Removed."),
    operation_id="roleAssignments_delete",
    summary="Remove a role assignment.",
)
def delete_role_assignment(id: str, call: CallDep) -> Response:
    """Only Global Administrators and Privileged Role Administrators may remove roles."""
    call.rights.check(Action.ROLE_ASSIGNMENT_WRITE)
    call.deps.roles.remove_role_assignment(call.tenant_id, check_object_id(id), ctx=call.audit)
    return Response(status_code=204)


@router.get(
    f"/{DIRECTORY_AUDITS}",
    tags=["auditLogs"],
    dependencies=[ListOptions],
    responses=ok(Collection[DirectoryAuditResource]),
    operation_id="directoryAudits_list",
    summary="The directory audit log, newest first.",
)
def list_directory_audits(call: CallDep) -> Response:
    """Every recorded change of the tenant: who, what, when, correlation id."""
    call.rights.check(Action.AUDIT_READ)
    records = [audit_view(r).wire() for r in call.deps.audit.list_records(call.tenant_id)]
    return call.page(records, AUDIT_FIELDS, DIRECTORY_AUDITS)


@router.get(
    f"/{DIRECTORY_AUDITS}/{{id}}",
    tags=["auditLogs"],
    dependencies=[SelectOption],
    responses=ok(DirectoryAuditResource),
    operation_id="directoryAudits_get",
    summary="One audit record.",
)
def get_directory_audit(id: str, call: CallDep) -> Response:
    """An audit record by id."""
    call.rights.check(Action.AUDIT_READ)
    found = call.deps.audit.find_record(call.tenant_id, id)
    if found is None:
        raise not_found(id)
    return call.one(audit_view(found).wire(), AUDIT_FIELDS, DIRECTORY_AUDITS)
