"""First-party apps every tenant has, as in Entra, with their well-known ids: Microsoft Graph, Azure Resource
Manager (ARM), and the public clients of the Azure CLI and Azure PowerShell.

Their application objects live in a hidden system tenant (Entra keeps them in Microsoft's own tenant,
whose id we reuse); every tenant gets a service principal for each, so `https://graph.microsoft.com/.default`,
bare scopes such as `User.Read`, the OIDC scopes and `https://management.core.windows.net//.default` resolve
everywhere, and `az login` finds its client. Permission ids are the real ones, so app manifests written for
Entra work unchanged.

**Pre-authorised first-party clients.** In Entra, Microsoft's own APIs list the Azure CLI and PowerShell in
their `preAuthorizedApplications`: those clients never show a consent prompt for the delegated permissions
they were built for. Here a first-party client's `requiredResourceAccess` on a first-party resource *is* that
pre-authorisation (`preauthorized_scopes`). It widens no one's rights: a delegated Graph token still needs the
user's own directory role for every action (`directory/authorization.py`), and tenant apps are never
pre-authorised (they get consent from a user or an administrator).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from tenantry.apps.consent import required_scope_values
from tenantry.apps.models import (
    Application,
    AppRole,
    PermissionScope,
    RequiredResourceAccess,
    ResourceAccess,
    ServicePrincipal,
    SignInAudience,
)
from tenantry.apps.repository import ApplicationRepository, ServicePrincipalRepository
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.directory.repository import TenantRepository

SYSTEM_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
SYSTEM_TENANT_DOMAIN = "firstparty.tenantry.invalid"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_URI = "https://graph.microsoft.com"
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
ARM_URIS = ("https://management.core.windows.net/", "https://management.azure.com/")
ARM_USER_IMPERSONATION_ID = "41094075-9dad-400e-a0bd-54e686782033"
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AZURE_POWERSHELL_APP_ID = "1950a258-227b-4e31-a9cf-717495945fc2"
# The Graph scopes Entra puts in the Azure CLI's and PowerShell's Graph tokens, as far as Graph here exposes them.
_AZURE_TOOL_GRAPH_SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "User.Read",
    "User.Read.All",
    "User.ReadWrite.All",
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Directory.AccessAsUser.All",
    "Group.ReadWrite.All",
)
# Tenantry's admin center (`/admin`): a public client signing administrators in with auth code + PKCE. Its
# redirect URI is derived from the server's public URL at run time (`runtime_redirect_uris`), never stored.
ADMIN_CENTER_APP_ID = "970536aa-5f49-4c20-95f3-f58e7fe555cf"
ADMIN_CENTER_REDIRECT_PATH = "/admin/signin"
# My Account (`/myaccount`) is the same first-party client with its own landing page and callback (its cookies
# live on `/myaccount`, the admin center's on `/admin`); also derived from the public URL at run time.
MY_ACCOUNT_REDIRECT_PATH = "/myaccount/signin"
# What it acts with: the signed-in user's own directory roles, as the portal does (`Directory.AccessAsUser.All`).
# No `offline_access`: it keeps no refresh token (an expired admin session signs in again through SSO).
ADMIN_CENTER_GRAPH_SCOPES = ("openid", "profile", "User.Read", "Directory.AccessAsUser.All")
# Native-app redirect URIs (RFC 8252 §7.3: any port of the loopback interface matches).
_LOOPBACK_REDIRECT_URIS = ("http://localhost", "http://127.0.0.1")

# (id, value, consent type, what an admin reads, what a user reads on the consent page)
_DELEGATED = (
    ("37f7f235-527c-4136-accd-4a02d197296e", "openid", "User", "Sign users in", "Sign you in"),
    ("14dad69e-099b-42c9-810b-d002981feec1", "profile", "User", "View users' basic profile", "View your basic profile"),
    ("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "email", "User", "View users' email address", "View your email address"),
    (
        "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        "offline_access",
        "User",
        "Maintain access to data users have given it access to",
        "Maintain access to data you have given it access to",
    ),
    (
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        "User.Read",
        "User",
        "Sign in and read user profile",
        "Sign you in and read your profile",
    ),
    ("a154be20-db9c-4678-8ab7-66f6cc099a59", "User.Read.All", "Admin", "Read all users' full profiles", ""),
    ("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", "Admin", "Read applications", ""),
    (
        "bdfbf15f-ee85-4955-8675-146e8e5296b5",
        "Application.ReadWrite.All",
        "Admin",
        "Read and write all applications",
        "",
    ),
    ("0e263e50-5827-48a4-b97c-d940288653c7", "Directory.AccessAsUser.All", "Admin", "Access directory as the user", ""),
    ("2f9ee017-59c1-4f1d-9472-bd5529a7b311", "Domain.Read.All", "Admin", "Read domains", ""),
    ("0b5d694c-a244-4bde-86e6-eb5cd07730fe", "Domain.ReadWrite.All", "Admin", "Read and write domains", ""),
    (
        "84bccea3-f856-4a8a-967b-dbe0a3d53a64",
        "AppRoleAssignment.ReadWrite.All",
        "Admin",
        "Manage app permission grants and app role assignments",
        "",
    ),
    (
        "d01b97e9-cbc0-49fe-810a-750afd5527a3",
        "RoleManagement.ReadWrite.Directory",
        "Admin",
        "Read and write directory RBAC settings",
        "",
    ),
    (
        "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4",
        "User.ReadWrite.All",
        "Admin",
        "Read and write all users' full profiles",
        "",
    ),
    ("5f8c59db-677d-491f-a6b8-5f174b11ec1d", "Group.Read.All", "Admin", "Read all groups", ""),
    ("4e46008b-f24c-477d-8fff-7bb4ec7aafe0", "Group.ReadWrite.All", "Admin", "Read and write all groups", ""),
    ("06da0dbc-49e2-44d2-8312-53f166ab848a", "Directory.Read.All", "Admin", "Read directory data", ""),
    ("c5366453-9fb0-48a5-a156-24f0c49a4b84", "Directory.ReadWrite.All", "Admin", "Read and write directory data", ""),
    (
        "b7887744-6746-4312-813d-72daeaee7e2d",
        "UserAuthenticationMethod.ReadWrite.All",
        "Admin",
        "Read and write all users' authentication methods",
        "",
    ),
    (
        "56760768-b641-451f-8906-e1b8ab31bca7",
        "User-PasswordProfile.ReadWrite.All",
        "Admin",
        "Read and write all password profiles and reset user passwords",
        "",
    ),
    ("572fea84-0151-49b2-9301-11cb16974376", "Policy.Read.All", "Admin", "Read your organization's policies", ""),
    (
        "ad902697-1014-4ef5-81ef-2b4301988e8c",
        "Policy.ReadWrite.ConditionalAccess",
        "Admin",
        "Read and write your organization's conditional access policies",
        "",
    ),
)
_APP_ROLES = (
    ("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications"),
    ("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", "Read and write all applications"),
    (
        "18a4783c-866b-4cc7-a460-3d5e5662c884",
        "Application.ReadWrite.OwnedBy",
        "Manage apps that this app creates or owns",
    ),
    ("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data"),
    ("dbb9058a-0e50-45d7-ae91-66909b5d4664", "Domain.Read.All", "Read domains"),
    ("7e05723c-0bb0-42da-be95-ae9f08a6e53c", "Domain.ReadWrite.All", "Read and write domains"),
    ("df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"),
    ("b0afded3-3588-46d8-8b3d-9842eff778da", "AuditLog.Read.All", "Read all audit log data"),
    (
        "06b708a9-e830-4db3-a914-8e69da51d44f",
        "AppRoleAssignment.ReadWrite.All",
        "Manage app permission grants and app role assignments",
    ),
    (
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        "RoleManagement.ReadWrite.Directory",
        "Read and write all directory RBAC settings",
    ),
    ("741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", "Read and write all users' full profiles"),
    ("5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All", "Read all groups"),
    ("62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All", "Read and write all groups"),
    ("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", "Read and write directory data"),
    (
        "50483e42-d915-4231-9639-7fdb7fd190e5",
        "UserAuthenticationMethod.ReadWrite.All",
        "Read and write all users' authentication methods",
    ),
    (
        "cc117bb9-00cf-4eb8-b580-ea2a878fe8f7",
        "User-PasswordProfile.ReadWrite.All",
        "Read and write all password profiles and reset user passwords",
    ),
    ("246dd0d5-5bd0-4def-940b-0421030a5b68", "Policy.Read.All", "Read your organization's policies"),
    (
        "01c0a623-fc9b-48e9-b794-0756f8e8f067",
        "Policy.ReadWrite.ConditionalAccess",
        "Read and write your organization's conditional access policies",
    ),
)


class FirstPartyUnit(TenantRepository, ApplicationRepository, ServicePrincipalRepository, Protocol):
    """What provisioning needs."""


def graph_application(now: datetime) -> Application:
    """Graph's application object, with its delegated scopes and application roles."""
    return Application(
        id="f0f4e1f8-5d6a-4f4e-9a34-3f1d6a1c0003",
        tenant_id=SYSTEM_TENANT_ID,
        app_id=GRAPH_APP_ID,
        display_name="Microsoft Graph",
        created_at=now,
        sign_in_audience=SignInAudience.MULTIPLE_ORGS,
        identifier_uris=(GRAPH_URI, "https://graph.microsoft.com/", "https://canary.graph.microsoft.com"),
        app_roles=tuple(AppRole(i, v, d, d, ("Application",)) for i, v, d in _APP_ROLES),
        oauth2_permission_scopes=tuple(
            PermissionScope(i, v, t, admin, admin, user or admin, user or admin) for i, v, t, admin, user in _DELEGATED
        ),
        requested_access_token_version=1,
    )


def arm_application(now: datetime) -> Application:
    """Azure Resource Manager ("Windows Azure Service Management API"): the resource of `az login`'s token."""
    scope = PermissionScope(
        ARM_USER_IMPERSONATION_ID,
        "user_impersonation",
        "User",
        "Access Azure Service Management as organization users",
        "Allows the application to access the Azure Management Service API acting as users in the organization.",
        "Access Azure Service Management as you",
        "Allows the application to access the Azure Management Service API acting as you.",
    )
    return Application(
        id="f0f4e1f8-5d6a-4f4e-9a34-3f1d6a1c0004",
        tenant_id=SYSTEM_TENANT_ID,
        app_id=ARM_APP_ID,
        display_name="Windows Azure Service Management API",
        created_at=now,
        sign_in_audience=SignInAudience.MULTIPLE_ORGS,
        identifier_uris=ARM_URIS,
        oauth2_permission_scopes=(scope,),
        requested_access_token_version=1,
    )


def _azure_tool_access() -> tuple[RequiredResourceAccess, ...]:
    """What the Azure CLI and PowerShell require: ARM's `user_impersonation` and Graph's directory scopes."""
    graph_ids = {value: scope_id for scope_id, value, *_ in _DELEGATED}
    graph = tuple(ResourceAccess(graph_ids[v], "Scope") for v in _AZURE_TOOL_GRAPH_SCOPES)
    return (
        RequiredResourceAccess(ARM_APP_ID, (ResourceAccess(ARM_USER_IMPERSONATION_ID, "Scope"),)),
        RequiredResourceAccess(GRAPH_APP_ID, graph),
    )


def _azure_tool(object_id: str, app_id: str, name: str, now: datetime) -> Application:
    """A public client of Microsoft's: loopback redirect URIs (interactive login), public client flows
    (device code, username/password), no secret ever (the privileged-app guard refuses credentials)."""
    return Application(
        id=object_id,
        tenant_id=SYSTEM_TENANT_ID,
        app_id=app_id,
        display_name=name,
        created_at=now,
        sign_in_audience=SignInAudience.MULTIPLE_ORGS,
        public_client_redirect_uris=_LOOPBACK_REDIRECT_URIS,
        is_fallback_public_client=True,
        required_resource_access=_azure_tool_access(),
    )


def admin_center_application(now: datetime) -> Application:
    """The admin center: no stored redirect URI and no secret (PKCE protects its codes); pre-authorised for
    the Graph scopes it requires, so administrators see no consent prompt."""
    graph_ids = {value: scope_id for scope_id, value, *_ in _DELEGATED}
    graph = tuple(ResourceAccess(graph_ids[v], "Scope") for v in ADMIN_CENTER_GRAPH_SCOPES)
    return Application(
        id="f0f4e1f8-5d6a-4f4e-9a34-3f1d6a1c0007",
        tenant_id=SYSTEM_TENANT_ID,
        app_id=ADMIN_CENTER_APP_ID,
        display_name="Tenantry admin center",
        created_at=now,
        sign_in_audience=SignInAudience.MULTIPLE_ORGS,
        is_fallback_public_client=True,
        required_resource_access=(RequiredResourceAccess(GRAPH_APP_ID, graph),),
    )


def runtime_redirect_uris(app: Application, public_url: str) -> tuple[str, ...]:
    """Redirect URIs a first-party app has under this server's public URL (the admin center's and My Account's
    callbacks); derived per request, so a server moved to another URL needs no stored change."""
    if app.app_id != ADMIN_CENTER_APP_ID or app.tenant_id != SYSTEM_TENANT_ID or not public_url:
        return ()
    base = public_url.rstrip("/")
    return (f"{base}{ADMIN_CENTER_REDIRECT_PATH}", f"{base}{MY_ACCOUNT_REDIRECT_PATH}")


def first_party_applications(now: datetime) -> tuple[Application, ...]:
    """Every first-party application, as this release defines it."""
    return (
        graph_application(now),
        arm_application(now),
        _azure_tool("f0f4e1f8-5d6a-4f4e-9a34-3f1d6a1c0005", AZURE_CLI_APP_ID, "Microsoft Azure CLI", now),
        _azure_tool("f0f4e1f8-5d6a-4f4e-9a34-3f1d6a1c0006", AZURE_POWERSHELL_APP_ID, "Microsoft Azure PowerShell", now),
        admin_center_application(now),
    )


def preauthorized_scopes(client: Application, resource: Application) -> frozenset[str]:
    """The delegated scopes `client` may use on `resource` without consent: for a first-party client on a
    first-party resource, what the client requires of it (Entra's `preAuthorizedApplications` on Microsoft's
    APIs); nothing for any other pair (see the module docstring)."""
    if client.tenant_id != SYSTEM_TENANT_ID or resource.tenant_id != SYSTEM_TENANT_ID:
        return frozenset()
    return frozenset(required_scope_values(client, resource))


def ensure_first_party(unit: FirstPartyUnit, now: datetime) -> None:
    """Create the system tenant and the first-party apps once (updating a stored definition a newer release
    changed: a permission added or its id corrected), and their service principals in every tenant."""
    if unit.find_tenant(SYSTEM_TENANT_ID) is None:
        unit.add_tenant(Tenant(SYSTEM_TENANT_ID, "Tenantry first-party apps", (SYSTEM_TENANT_DOMAIN,), now))
    for defined in first_party_applications(now):
        stored = unit.find_application_by_app_id(defined.app_id)
        if stored is None:
            unit.add_application(defined)
        elif stored != replace(defined, created_at=stored.created_at):
            unit.update_application(replace(defined, created_at=stored.created_at))
    for tenant in unit.list_tenants():
        ensure_first_party_service_principals(unit, tenant.id, now)


def ensure_first_party_service_principals(unit: ServicePrincipalRepository, tenant_id: str, now: datetime) -> None:
    """The first-party apps' instances in one tenant (a new tenant gets them in the transaction creating it).
    The hidden system tenant gets Graph's alone: a first-party client's scopes on `/organizations` are checked
    in its home tenant before the user (and so the user's tenant) is known (`check_scope`)."""
    for app in first_party_applications(now):
        if tenant_id == SYSTEM_TENANT_ID and app.app_id != GRAPH_APP_ID:
            continue
        if unit.find_service_principal_by_app_id(tenant_id, app.app_id) is None:
            unit.add_service_principal(ServicePrincipal(new_guid(), tenant_id, app.app_id, app.display_name, now))
