"""Graph `servicePrincipal`, `appRoleAssignment`, `directoryObject` (owners), `organization`,
`unifiedRoleDefinition` and `unifiedRoleAssignment`, with their request bodies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal
from tenantry.directory.models import Tenant
from tenantry.directory.principals import DirectoryPrincipal
from tenantry.directory.roles import RoleAssignment, RoleDefinition
from tenantry.graph.schemas.applications import (
    AppRoleResource,
    PermissionScopeResource,
    role_views,
    scope_view,
)
from tenantry.graph.schemas.common import GraphDateTime, GraphInput, GraphModel

ODATA_TYPES = {
    "User": "#microsoft.graph.user",
    "ServicePrincipal": "#microsoft.graph.servicePrincipal",
    "Group": "#microsoft.graph.group",
}


class ServicePrincipalResource(GraphModel):
    """Graph `servicePrincipal`: an application's instance in this tenant."""

    id: str | None = None
    app_id: str | None = None
    display_name: str | None = None
    account_enabled: bool | None = None
    app_role_assignment_required: bool | None = None
    app_owner_organization_id: str | None = None
    app_display_name: str | None = None
    service_principal_type: str | None = None
    service_principal_names: list[str] = Field(default_factory=list)
    sign_in_audience: str | None = None
    app_roles: list[AppRoleResource] = Field(default_factory=list)
    oauth2_permission_scopes: list[PermissionScopeResource] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    deleted_date_time: GraphDateTime | None = None


def service_principal_view(sp: ServicePrincipal, app: Application | None) -> ServicePrincipalResource:
    """An SP with what it inherits from its application (roles, scopes, names)."""
    return ServicePrincipalResource(
        id=sp.id,
        app_id=sp.app_id,
        display_name=sp.display_name,
        account_enabled=sp.account_enabled,
        app_role_assignment_required=sp.app_role_assignment_required,
        app_owner_organization_id=app.tenant_id if app else None,
        app_display_name=app.display_name if app else sp.display_name,
        service_principal_type=sp.service_principal_type,
        service_principal_names=[sp.app_id, *(app.identifier_uris if app else ())],
        sign_in_audience=app.sign_in_audience.value if app else None,
        app_roles=role_views(app) if app else [],
        oauth2_permission_scopes=[scope_view(s) for s in app.oauth2_permission_scopes] if app else [],
    )


class ServicePrincipalInput(GraphInput):
    """`POST /servicePrincipals`: the appId to instantiate, and optionally its flags."""

    app_id: UUID
    account_enabled: bool | None = None
    app_role_assignment_required: bool | None = None


class ServicePrincipalPatch(GraphInput):
    """`PATCH /servicePrincipals/{id}`."""

    account_enabled: bool | None = None
    app_role_assignment_required: bool | None = None


class AppRoleAssignmentResource(GraphModel):
    """Graph `appRoleAssignment`."""

    id: str | None = None
    app_role_id: str | None = None
    created_date_time: GraphDateTime | None = None
    deleted_date_time: GraphDateTime | None = None
    principal_display_name: str | None = None
    principal_id: str | None = None
    principal_type: str | None = None
    resource_display_name: str | None = None
    resource_id: str | None = None


def assignment_view(
    assignment: AppRoleAssignment, principal: DirectoryPrincipal | None, resource: ServicePrincipal
) -> AppRoleAssignmentResource:
    """An app role assignment on `resource`."""
    return AppRoleAssignmentResource(
        id=assignment.id,
        app_role_id=assignment.app_role_id,
        created_date_time=assignment.created_at,
        principal_display_name=principal.display_name if principal else None,
        principal_id=assignment.principal_id,
        principal_type=assignment.principal_type,
        resource_display_name=resource.display_name,
        resource_id=resource.id,
    )


class AppRoleAssignmentInput(GraphInput):
    """`POST /servicePrincipals/{id}/appRoleAssignedTo`."""

    principal_id: UUID
    resource_id: UUID
    app_role_id: UUID


class DirectoryObjectResource(GraphModel):
    """A user or service principal among an application's owners."""

    odata_type: str = Field(alias="@odata.type")
    id: str
    display_name: str | None = None
    user_principal_name: str | None = None
    app_id: str | None = None


def directory_object_view(principal: DirectoryPrincipal) -> dict[str, Any]:
    """`@odata.type`, id and the names that kind of object has."""
    return DirectoryObjectResource(
        odata_type=ODATA_TYPES[principal.type],
        id=principal.id,
        display_name=principal.display_name,
        user_principal_name=principal.user_principal_name,
        app_id=principal.app_id,
    ).model_dump(by_alias=True, mode="json", exclude_none=True)


class VerifiedDomainResource(GraphModel):
    """One verified domain of the organization."""

    capabilities: str = "None"
    is_default: bool = False
    is_initial: bool = False
    name: str
    type: str = "Managed"


class OrganizationResource(GraphModel):
    """Graph `organization`: the tenant."""

    id: str | None = None
    display_name: str | None = None
    created_date_time: GraphDateTime | None = None
    tenant_type: str | None = None
    verified_domains: list[VerifiedDomainResource] = Field(default_factory=list)


def organization_view(tenant: Tenant) -> OrganizationResource:
    """The tenant; its first domain is both initial and default."""
    domains = [
        VerifiedDomainResource(is_default=i == 0, is_initial=i == 0, name=d) for i, d in enumerate(tenant.domains)
    ]
    return OrganizationResource(
        id=tenant.id,
        display_name=tenant.display_name,
        created_date_time=tenant.created_at,
        tenant_type="AAD",
        verified_domains=domains,
    )


class RolePermissionResource(GraphModel):
    """`rolePermissions` entry."""

    allowed_resource_actions: list[str] = Field(default_factory=list)
    condition: str | None = None


class RoleDefinitionResource(GraphModel):
    """Graph `unifiedRoleDefinition` of a built-in role."""

    id: str | None = None
    description: str | None = None
    display_name: str | None = None
    is_built_in: bool | None = None
    is_enabled: bool | None = None
    resource_scopes: list[str] = Field(default_factory=list)
    template_id: str | None = None
    version: str | None = None
    role_permissions: list[RolePermissionResource] = Field(default_factory=list)


def role_definition_view(role: RoleDefinition) -> RoleDefinitionResource:
    """A built-in role: its id is its template id, as in Entra."""
    return RoleDefinitionResource(
        id=role.id,
        description=role.description,
        display_name=role.display_name,
        is_built_in=True,
        is_enabled=True,
        resource_scopes=["/"],
        template_id=role.id,
        version="1",
        role_permissions=[RolePermissionResource(allowed_resource_actions=sorted(role.permissions))],
    )


class RoleAssignmentResource(GraphModel):
    """Graph `unifiedRoleAssignment`."""

    id: str | None = None
    principal_id: str | None = None
    role_definition_id: str | None = None
    directory_scope_id: str | None = None
    app_scope_id: str | None = None
    condition: str | None = None


def role_assignment_view(assignment: RoleAssignment) -> RoleAssignmentResource:
    """A tenant-wide role assignment."""
    return RoleAssignmentResource(
        id=assignment.id,
        principal_id=assignment.principal_id,
        role_definition_id=assignment.role_definition_id,
        directory_scope_id=assignment.directory_scope_id,
    )


class RoleAssignmentInput(GraphInput):
    """`POST /roleManagement/directory/roleAssignments`."""

    principal_id: str = Field(min_length=1, max_length=64)
    role_definition_id: str = Field(min_length=1, max_length=128)
    directory_scope_id: str = Field("/", max_length=256)
