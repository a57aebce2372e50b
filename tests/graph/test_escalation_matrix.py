"""The permission matrix: every Graph permission and directory role × every path that could lead to
Global Administrator (issue: an app holding `Application.ReadWrite.All`, or an Application Administrator,
granted itself `RoleManagement.ReadWrite.Directory` on Microsoft Graph's service principal, then made
itself Global Administrator).

Each path is one HTTP call made by each caller against fresh objects, and the table says who may make it.
A caller not listed must be refused with Graph's 403 `Authorization_RequestDenied` (or, for paths that
nobody may take, any 4xx that changes nothing). Rules (Entra's, plus Tenantry's privileged-app guard):
- app roles of Microsoft Graph: `AppRoleAssignment.ReadWrite.All`, Global and Privileged Role Administrator;
- app roles of the tenant's own APIs: those, plus `Application.ReadWrite.All` and app administrators;
- directory roles: `RoleManagement.ReadWrite.Directory`, Global and Privileged Role Administrator;
- credentials or owners of an app holding privileged access: its owners, and callers who hold both app
  management and role management (Global Administrator; an app with both permissions);
- first-party objects (Graph's SP, its application, its identifier URIs; the Azure CLI's application and
  SP; ARM's URIs; the server's public URL, which names Graph): nobody;
- federated identity credentials are credentials: who may add a secret to an app may add one, nobody on
  first-party apps; a managed identity has no application, so nobody may give it a secret or a federated
  credential or take its appId (only the operator's `tenantry identity create` makes one), and app roles
  go to it under the rules above;
- a user signed in through the Azure CLI, pre-authorised for Graph without consent, holds no more than the
  user does: the no-role user's az token opens nothing (`az:no role`); the admin center (`/admin`), likewise
  pre-authorised, is first-party too: nobody may give it a credential, an owner, a redirect URI or its appId
  (who may do what through its pages is `tests/admin/test_authorization.py`);
- directory roles go to users, service principals and role-assignable groups only: a role for a group not
  created role-assignable is refused to everyone (its owners and group administrators could hand it out);
- the tenant's password expiry (`domains/{id}`): `Domain.ReadWrite.All`, Global and Domain Name Administrator;
- conditional access policies: `Policy.ReadWrite.ConditionalAccess`, Global, Conditional Access and Security
  Administrators (who may read and write them is `test_conditional_access_permissions.py`);
- a Global Administrator's password and sign-in (entra-reference §5.6): Privileged Authentication and Global
  Administrators; its UPN: Global Administrators; a role-assignable group (create, join): Global and
  Privileged Role Administrators.
The user and group permissions and roles (User Administrator, `User.ReadWrite.All`, `Directory.ReadWrite.All`,
…) are callers here to show they open none of these paths; who may reset whose password is
`tests/unit/directory/test_password_reset.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from graph.helpers import assert_graph_error
from graph.world import (
    APP_ADMIN,
    CLOUD_APP_ADMIN,
    GLOBAL_ADMIN,
    PASSWORD,
    PRIVILEGED_ROLE_ADMIN,
    GraphWorld,
    auth,
)
from protocol.conftest import BASE_URL
from tenantry.apps.first_party import ADMIN_CENTER_APP_ID, AZURE_CLI_APP_ID, GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.managed_identities import IdentityKind, ManagedIdentity
from tenantry.apps.models import Application
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.directory.groups import NewGroup
from tenantry.directory.models import Group

GLOBAL_ADMIN_ROLE_ID = "62e90394-69f5-4237-9190-012177145e10"
ROLE_MANAGEMENT_ROLE_ID = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"  # Graph's RoleManagement.ReadWrite.Directory
FORBIDDEN = "Authorization_RequestDenied"

# Callers: an app-only token with these Graph application permissions, or a user holding this role.
APP_CALLERS = {
    "app:Application.ReadWrite.All": ("Application.ReadWrite.All",),
    "app:Application.ReadWrite.OwnedBy": ("Application.ReadWrite.OwnedBy",),
    "app:AppRoleAssignment.ReadWrite.All": ("AppRoleAssignment.ReadWrite.All",),
    "app:RoleManagement.ReadWrite.Directory": ("RoleManagement.ReadWrite.Directory",),
    "app:Application+RoleManagement": ("Application.ReadWrite.All", "RoleManagement.ReadWrite.Directory"),
    "app:Directory.Read.All": ("Directory.Read.All",),
    "app:Directory.ReadWrite.All": ("Directory.ReadWrite.All",),
    "app:User.ReadWrite.All": ("User.ReadWrite.All",),
    "app:Group.ReadWrite.All": ("Group.ReadWrite.All",),
    "app:User-PasswordProfile.ReadWrite.All": ("User-PasswordProfile.ReadWrite.All",),
    "app:Domain.ReadWrite.All": ("Domain.ReadWrite.All",),
    "app:UserAuthenticationMethod.ReadWrite.All": ("UserAuthenticationMethod.ReadWrite.All",),
    "app:Policy.Read.All": ("Policy.Read.All",),
    "app:Policy.ReadWrite.ConditionalAccess": ("Policy.ReadWrite.ConditionalAccess",),
}
USER_CALLERS = {
    "user:Global Administrator": GLOBAL_ADMIN,
    "user:Privileged Role Administrator": PRIVILEGED_ROLE_ADMIN,
    "user:Application Administrator": APP_ADMIN,
    "user:Cloud Application Administrator": CLOUD_APP_ADMIN,
    "user:Global Reader": "Global Reader",
    "user:Domain Name Administrator": "Domain Name Administrator",
    "user:User Administrator": "User Administrator",
    "user:Groups Administrator": "Groups Administrator",
    "user:Privileged Authentication Administrator": "Privileged Authentication Administrator",
    "user:Authentication Administrator": "Authentication Administrator",
    "user:Directory Writers": "Directory Writers",
    "user:Conditional Access Administrator": "Conditional Access Administrator",
    "user:Security Administrator": "Security Administrator",
    "user:Security Reader": "Security Reader",
    "user:no role": None,
}
# Users signing in with the Azure CLI's first-party client (Graph by the public URL, as az asks).
AZ_CALLERS = {"az:no role": None}
CALLERS = [*APP_CALLERS, *USER_CALLERS, *AZ_CALLERS]


@dataclass
class Caller:
    """A caller's bearer token and its object id (user, or the app's service principal)."""

    token: str
    object_id: str


@dataclass
class Case:
    """One path: `call` makes the request; `allowed` are the callers it must succeed for (2xx)."""

    call: Callable[[GraphWorld, Any, Caller], httpx.Response]
    allowed: frozenset[str]


def _sp_id(graph: GraphWorld, app: Application | str) -> str:
    """The object id of an app's service principal in the suite's tenant."""
    app_id = app if isinstance(app, str) else app.app_id
    return next(sp.id for sp in graph.services.apps.list_service_principals(graph.tenant.id) if sp.app_id == app_id)


def _api_with_role(graph: GraphWorld) -> Application:
    """A fresh API of the tenant exposing an app role for applications."""
    api = graph.new_app("orders-api")
    graph.services.apps.add_app_role(api, "Orders.Read.All", "Read all orders")
    found = graph.services.apps.find_app(api.app_id)
    assert found is not None
    return found


def _privileged_app(graph: GraphWorld) -> Application:
    """An app whose service principal holds Graph's RoleManagement.ReadWrite.Directory."""
    app = graph.new_app("automation")
    app = graph.services.apps.add_permission(app, GRAPH_APP_ID, "RoleManagement.ReadWrite.Directory", "Role")
    graph.services.apps.admin_consent(app)
    return app


def grant_graph_role_management(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Grant Graph's RoleManagement.ReadWrite.Directory to an app's service principal."""
    target = _sp_id(graph, graph.new_app("target"))
    resource = _sp_id(graph, GRAPH_APP_ID)
    body = {"principalId": target, "resourceId": resource, "appRoleId": ROLE_MANAGEMENT_ROLE_ID}
    return client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(caller.token), json=body)


def grant_own_api_role(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Grant an app role of one of the tenant's own APIs."""
    api = _api_with_role(graph)
    resource = _sp_id(graph, api)
    target = _sp_id(graph, graph.new_app("target"))
    body = {"principalId": target, "resourceId": resource, "appRoleId": api.app_roles[0].id}
    return client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(caller.token), json=body)


def assign_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Assign Global Administrator to a fresh user."""
    target = graph.new_user("promoted")
    body = {"principalId": target.id, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID, "directoryScopeId": "/"}
    url = "/v1.0/roleManagement/directory/roleAssignments"
    return client.post(url, headers=auth(caller.token), json=body)


def _group(graph: GraphWorld, *members: str, role_assignable: bool) -> Group:
    """A fresh security group of the suite's tenant, with these direct members (object ids)."""
    name = f"group-{uuid.uuid4().hex[:6]}"
    group = Group(str(uuid.uuid4()), graph.tenant.id, name, datetime.now(UTC), is_assignable_to_role=role_assignable)
    with graph.services.store.transaction(write=True) as unit:
        unit.add_group(group)
        for member in members:
            unit.add_group_member(graph.tenant.id, group.id, member)
    return group


def global_admin_to_plain_group(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Assign Global Administrator to a group that is not role-assignable (whoever manages it would hand it out)."""
    body = {"principalId": _group(graph, role_assignable=False).id, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID}
    return client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(caller.token), json=body)


def global_admin_to_role_assignable_group(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Assign Global Administrator to a role-assignable group."""
    body = {"principalId": _group(graph, role_assignable=True).id, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID}
    return client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(caller.token), json=body)


def secret_on_privileged_app(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to an app holding RoleManagement.ReadWrite.Directory (and so act as it)."""
    app = _privileged_app(graph)
    return client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(caller.token), json={})


def owner_of_privileged_app(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Make oneself an owner of an app holding RoleManagement.ReadWrite.Directory."""
    app = _privileged_app(graph)
    body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{caller.object_id}"}
    return client.post(f"/v1.0/applications/{app.id}/owners/$ref", headers=auth(caller.token), json=body)


def secret_on_app_privileged_through_group(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to an app whose service principal is a member of a role-assignable group holding
    Privileged Role Administrator (a role held through a group is held all the same)."""
    app = graph.new_app("grouped")
    group = _group(graph, _sp_id(graph, app), role_assignable=True)
    graph.roles.assign_role(graph.tenant.id, group.id, PRIVILEGED_ROLE_ADMIN)
    return client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(caller.token), json={})


def secret_on_plain_app(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to an ordinary app (the control: app management itself still works)."""
    app = graph.new_app("plain")
    return client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(caller.token), json={})


def secret_on_graph_application(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to Microsoft Graph's own application."""
    url = f"/v1.0/applications(appId='{GRAPH_APP_ID}')/addPassword"
    return client.post(url, headers=auth(caller.token), json={})


def disable_graph_sp(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Disable Microsoft Graph's service principal (every Graph token needs it)."""
    resource = _sp_id(graph, GRAPH_APP_ID)
    body = {"accountEnabled": False}
    return client.patch(f"/v1.0/servicePrincipals/{resource}", headers=auth(caller.token), json=body)


def delete_graph_sp(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Delete Microsoft Graph's service principal."""
    resource = _sp_id(graph, GRAPH_APP_ID)
    return client.delete(f"/v1.0/servicePrincipals/{resource}", headers=auth(caller.token))


def claim_graph_uri(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an app whose identifier URI is Microsoft Graph's (tokens for Graph would name it)."""
    body = {"displayName": f"squatter-{uuid.uuid4().hex[:6]}", "identifierUris": [f"{GRAPH_URI}/"]}
    return client.post("/v1.0/applications", headers=auth(caller.token), json=body)


def secret_on_azure_cli(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to the Azure CLI's application (every tenant's users sign in with it, unconsented)."""
    url = f"/v1.0/applications(appId='{AZURE_CLI_APP_ID}')/addPassword"
    return client.post(url, headers=auth(caller.token), json={})


def owner_of_azure_cli(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Make oneself an owner of the Azure CLI's application."""
    body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{caller.object_id}"}
    url = f"/v1.0/applications(appId='{AZURE_CLI_APP_ID}')/owners/$ref"
    return client.post(url, headers=auth(caller.token), json=body)


def delete_azure_cli_sp(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Delete the Azure CLI's service principal (then register an app under its appId?)."""
    return client.delete(f"/v1.0/servicePrincipals/{_sp_id(graph, AZURE_CLI_APP_ID)}", headers=auth(caller.token))


def disable_azure_cli_sp(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Disable the Azure CLI's service principal (nobody in the tenant could use az)."""
    resource = _sp_id(graph, AZURE_CLI_APP_ID)
    return client.patch(
        f"/v1.0/servicePrincipals/{resource}", headers=auth(caller.token), json={"accountEnabled": False}
    )


def claim_azure_cli_app_id(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an app under the Azure CLI's appId (its users' sign-ins would reach it), or its SP again."""
    body = {"displayName": f"squatter-{uuid.uuid4().hex[:6]}", "appId": AZURE_CLI_APP_ID}
    created = client.post("/v1.0/applications", headers=auth(caller.token), json=body)
    if created.status_code < 400:
        return created
    return client.post("/v1.0/servicePrincipals", headers=auth(caller.token), json={"appId": AZURE_CLI_APP_ID})


def secret_on_admin_center(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret to the admin center's application (it signs administrators in, pre-authorised for
    `Directory.AccessAsUser.All`)."""
    url = f"/v1.0/applications(appId='{ADMIN_CENTER_APP_ID}')/addPassword"
    return client.post(url, headers=auth(caller.token), json={})


def owner_of_admin_center(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Make oneself an owner of the admin center's application."""
    body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{caller.object_id}"}
    url = f"/v1.0/applications(appId='{ADMIN_CENTER_APP_ID}')/owners/$ref"
    return client.post(url, headers=auth(caller.token), json=body)


def redirect_of_admin_center(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Give the admin center a redirect URI of one's own (its codes, hence administrators' tokens, would go there)."""
    url = f"/v1.0/applications(appId='{ADMIN_CENTER_APP_ID}')"
    return client.patch(url, headers=auth(caller.token), json={"web": {"redirectUris": ["https://evil.example/cb"]}})


def claim_admin_center_app_id(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an app under the admin center's appId, or give it a second service principal."""
    body = {"displayName": f"squatter-{uuid.uuid4().hex[:6]}", "appId": ADMIN_CENTER_APP_ID}
    created = client.post("/v1.0/applications", headers=auth(caller.token), json=body)
    if created.status_code < 400:
        return created
    return client.post("/v1.0/servicePrincipals", headers=auth(caller.token), json={"appId": ADMIN_CENTER_APP_ID})


def federated_on_admin_center(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential on the admin center's application."""
    return _federated(client, caller, f"applications(appId='{ADMIN_CENTER_APP_ID}')")


def claim_arm_uri(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an app whose identifier URI is Azure Resource Manager's."""
    body = {"displayName": f"squatter-{uuid.uuid4().hex[:6]}", "identifierUris": ["https://management.azure.com"]}
    return client.post("/v1.0/applications", headers=auth(caller.token), json=body)


def claim_public_url(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an app whose identifier URI is the server's public URL: Graph accepts tokens for that audience,
    so its app roles would read as Graph permissions."""
    body = {"displayName": f"squatter-{uuid.uuid4().hex[:6]}", "identifierUris": [f"{BASE_URL.upper()}/"]}
    return client.post("/v1.0/applications", headers=auth(caller.token), json=body)


def _federated(client: Any, caller: Caller, application: str) -> httpx.Response:
    """Add a federated identity credential (an external issuer's subject signs in as the app)."""
    body = {"name": f"fic-{uuid.uuid4().hex[:6]}", "issuer": "https://issuer.example", "subject": "anyone"}
    return client.post(f"/v1.0/{application}/federatedIdentityCredentials", headers=auth(caller.token), json=body)


def federated_on_plain_app(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential on an ordinary app: the same right as a secret."""
    return _federated(client, caller, f"applications/{graph.new_app('plain').id}")


def federated_on_privileged_app(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential on an app holding RoleManagement.ReadWrite.Directory (and so act as it)."""
    return _federated(client, caller, f"applications/{_privileged_app(graph).id}")


def federated_on_graph_application(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential on Microsoft Graph's own application."""
    return _federated(client, caller, f"applications(appId='{GRAPH_APP_ID}')")


def federated_on_azure_cli(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential on the Azure CLI's application."""
    return _federated(client, caller, f"applications(appId='{AZURE_CLI_APP_ID}')")


def _managed_identity(graph: GraphWorld) -> ManagedIdentity:
    """A fresh system-assigned managed identity of the suite's tenant (made as the operator's CLI does)."""
    ctx = AuditContext(SYSTEM, datetime.now(UTC))
    name = f"mi-{uuid.uuid4().hex[:6]}"
    return graph.services.managed_identities.create(graph.tenant.id, name, IdentityKind.SYSTEM, ctx=ctx).identity


def secret_on_managed_identity(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add a client secret under a managed identity's appId (it has no application: nobody may act as it)."""
    url = f"/v1.0/applications(appId='{_managed_identity(graph).app_id}')/addPassword"
    return client.post(url, headers=auth(caller.token), json={})


def federated_on_managed_identity(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """A federated credential under a managed identity's appId."""
    return _federated(client, caller, f"applications(appId='{_managed_identity(graph).app_id}')")


def claim_managed_identity_app_id(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Create a service principal under a managed identity's appId, or one typed ManagedIdentity."""
    body = {"appId": _managed_identity(graph).app_id}
    created = client.post("/v1.0/servicePrincipals", headers=auth(caller.token), json=body)
    if created.status_code < 400:
        return created
    typed = {"appId": graph.new_app("typed").app_id, "servicePrincipalType": "ManagedIdentity"}
    return client.post("/v1.0/servicePrincipals", headers=auth(caller.token), json=typed)


def graph_role_to_managed_identity(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Grant Graph's RoleManagement.ReadWrite.Directory to a managed identity (whose secret one may hold)."""
    resource = _sp_id(graph, GRAPH_APP_ID)
    body = {"principalId": _managed_identity(graph).id, "resourceId": resource, "appRoleId": ROLE_MANAGEMENT_ROLE_ID}
    return client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(caller.token), json=body)


def own_api_role_to_managed_identity(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Grant an app role of one of the tenant's own APIs to a managed identity."""
    api = _api_with_role(graph)
    resource = _sp_id(graph, api)
    body = {"principalId": _managed_identity(graph).id, "resourceId": resource, "appRoleId": api.app_roles[0].id}
    return client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(caller.token), json=body)


def set_password_expiry(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Change how long the tenant's passwords stay valid (`PATCH /domains/{id}`; 2147483647 keeps them
    never-expiring, so the suite's tenant is left as it was)."""
    domain = graph.tenant.domains[0]
    body = {"passwordValidityPeriodInDays": 2147483647}
    return client.patch(f"/v1.0/domains/{domain}", headers=auth(caller.token), json=body)


def reset_global_admin_password(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Reset a Global Administrator's password (then sign in as them)."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    body = {
        "passwordProfile": {"password": f"Taken-{uuid.uuid4().hex[:8]}-Over!", "forceChangePasswordNextSignIn": False}
    }
    return client.patch(f"/v1.0/users/{target.id}", headers=auth(caller.token), json=body)


def tap_for_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Issue a Temporary Access Pass for a Global Administrator (then sign in as them with it)."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    body = {"lifetimeInMinutes": 60, "isUsableOnce": True}
    url = f"/v1.0/users/{target.id}/authentication/temporaryAccessPassMethods"
    return client.post(url, headers=auth(caller.token), json=body)


def email_method_for_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Register an e-mail authentication method on a Global Administrator (then reset their password with
    SSPR, the code arriving at that address)."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    url = f"/v1.0/users/{target.id}/authentication/emailMethods"
    return client.post(url, headers=auth(caller.token), json={"emailAddress": "takeover@mail.example"})


def unlock_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Lift a Global Administrator's smart lockout (Tenantry's `tenantry.unlock` extension): under the reset
    table, as unlocking is what resetting the password would do."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    return client.post(f"/v1.0/users/{target.id}/tenantry.unlock", headers=auth(caller.token))


def rename_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Change a Global Administrator's userPrincipalName (and so who signs in as them)."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    body = {"userPrincipalName": f"renamed-{uuid.uuid4().hex[:6]}@{graph.tenant.domains[0]}"}
    return client.patch(f"/v1.0/users/{target.id}", headers=auth(caller.token), json=body)


def disable_global_admin(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Block a Global Administrator's sign-in."""
    target = graph.new_user("chief", GLOBAL_ADMIN)
    return client.patch(f"/v1.0/users/{target.id}", headers=auth(caller.token), json={"accountEnabled": False})


def join_role_assignable_group(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Add oneself to a role-assignable group holding Global Administrator."""
    group = graph.services.groups.create_group(
        graph.tenant.id,
        NewGroup(f"admins-{uuid.uuid4().hex[:6]}", "admins", is_assignable_to_role=True),
        ctx=AuditContext(SYSTEM, datetime.now(UTC)),
    )
    graph.roles.assign_role(graph.tenant.id, group.id, GLOBAL_ADMIN)
    body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{caller.object_id}"}
    return client.post(f"/v1.0/groups/{group.id}/members/$ref", headers=auth(caller.token), json=body)


def create_ca_policy(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Create a (disabled) conditional access policy: it can demand MFA of, or block, any user."""
    body = {
        "displayName": f"policy-{uuid.uuid4().hex[:6]}",
        "state": "disabled",
        "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]},
    }
    return client.post("/v1.0/identity/conditionalAccess/policies", headers=auth(caller.token), json=body)


def create_role_assignable_group(graph: GraphWorld, client: Any, caller: Caller) -> httpx.Response:
    """Create a role-assignable group (its owners and members could then be handed roles)."""
    name = f"admins-{uuid.uuid4().hex[:6]}"
    body = {
        "displayName": name,
        "mailNickname": name,
        "mailEnabled": False,
        "securityEnabled": True,
        "isAssignableToRole": True,
    }
    return client.post("/v1.0/groups", headers=auth(caller.token), json=body)


GRAPH_ROLE_GRANTERS = frozenset(
    {"app:AppRoleAssignment.ReadWrite.All", "user:Global Administrator", "user:Privileged Role Administrator"}
)
APP_MANAGERS = frozenset(
    {
        "app:Application.ReadWrite.All",
        "app:Application+RoleManagement",
        "user:Global Administrator",
        "user:Application Administrator",
        "user:Cloud Application Administrator",
    }
)
ROLE_ASSIGNERS = frozenset(
    {
        "app:RoleManagement.ReadWrite.Directory",
        "app:Application+RoleManagement",
        "user:Global Administrator",
        "user:Privileged Role Administrator",
    }
)
PRIVILEGED_APP_MANAGERS = frozenset({"app:Application+RoleManagement", "user:Global Administrator"})
PASSWORD_EXPIRY_SETTERS = frozenset(
    {"app:Domain.ReadWrite.All", "user:Global Administrator", "user:Domain Name Administrator"}
)
NOBODY: frozenset[str] = frozenset()
# Entra §5.6: only Privileged Authentication and Global Administrators reach a Global Administrator; apps
# with User.ReadWrite.All / User-PasswordProfile.ReadWrite.All reach users without an admin role only.
GLOBAL_ADMIN_RESETTERS = frozenset({"user:Global Administrator", "user:Privileged Authentication Administrator"})
# TODO(roles catalogue): Entra's Privileged Authentication Administrator also holds
# `users/userPrincipalName/update`; here a UPN change needs `users/basic/update`, which it lacks.
GLOBAL_ADMIN_RENAMERS = frozenset({"user:Global Administrator"})
# Changing a role-assignable group is assigning its roles: Global and Privileged Role Administrators (Entra's
# `groupsAssignableToRoles` actions), or an app with both group and role management (none of the callers).
ROLE_GROUP_MANAGERS = frozenset({"user:Global Administrator", "user:Privileged Role Administrator"})
# Conditional access (issue 12 §4): Policy.ReadWrite.ConditionalAccess, Global, Conditional Access and Security
# Administrators; it opens none of the other paths.
CA_POLICY_WRITERS = frozenset(
    {
        "app:Policy.ReadWrite.ConditionalAccess",
        "user:Global Administrator",
        "user:Conditional Access Administrator",
        "user:Security Administrator",
    }
)

MATRIX = {
    "grant Graph app role": Case(grant_graph_role_management, GRAPH_ROLE_GRANTERS),
    "grant own API app role": Case(grant_own_api_role, APP_MANAGERS | GRAPH_ROLE_GRANTERS),
    "assign Global Administrator": Case(assign_global_admin, ROLE_ASSIGNERS),
    "Global Administrator to a role-assignable group": Case(global_admin_to_role_assignable_group, ROLE_ASSIGNERS),
    "Global Administrator to a plain group": Case(global_admin_to_plain_group, NOBODY),
    "secret on privileged app": Case(secret_on_privileged_app, PRIVILEGED_APP_MANAGERS),
    "owner of privileged app": Case(owner_of_privileged_app, PRIVILEGED_APP_MANAGERS),
    "secret on app privileged through a group": Case(secret_on_app_privileged_through_group, PRIVILEGED_APP_MANAGERS),
    "secret on plain app": Case(secret_on_plain_app, APP_MANAGERS),
    "secret on Graph's application": Case(secret_on_graph_application, NOBODY),
    "disable Graph's SP": Case(disable_graph_sp, NOBODY),
    "delete Graph's SP": Case(delete_graph_sp, NOBODY),
    "claim Graph's identifier URI": Case(claim_graph_uri, NOBODY),
    "secret on the Azure CLI's application": Case(secret_on_azure_cli, NOBODY),
    "owner of the Azure CLI's application": Case(owner_of_azure_cli, NOBODY),
    "delete the Azure CLI's SP": Case(delete_azure_cli_sp, NOBODY),
    "disable the Azure CLI's SP": Case(disable_azure_cli_sp, NOBODY),
    "claim the Azure CLI's appId": Case(claim_azure_cli_app_id, NOBODY),
    "secret on the admin center's application": Case(secret_on_admin_center, NOBODY),
    "owner of the admin center's application": Case(owner_of_admin_center, NOBODY),
    "redirect URI on the admin center's application": Case(redirect_of_admin_center, NOBODY),
    "claim the admin center's appId": Case(claim_admin_center_app_id, NOBODY),
    "federated credential on the admin center's application": Case(federated_on_admin_center, NOBODY),
    "claim ARM's identifier URI": Case(claim_arm_uri, NOBODY),
    "claim the public URL as identifier URI": Case(claim_public_url, NOBODY),
    "federated credential on plain app": Case(federated_on_plain_app, APP_MANAGERS),
    "federated credential on privileged app": Case(federated_on_privileged_app, PRIVILEGED_APP_MANAGERS),
    "federated credential on Graph's application": Case(federated_on_graph_application, NOBODY),
    "federated credential on the Azure CLI's application": Case(federated_on_azure_cli, NOBODY),
    "secret on a managed identity": Case(secret_on_managed_identity, NOBODY),
    "federated credential on a managed identity": Case(federated_on_managed_identity, NOBODY),
    "claim a managed identity's appId": Case(claim_managed_identity_app_id, NOBODY),
    "grant Graph app role to a managed identity": Case(graph_role_to_managed_identity, GRAPH_ROLE_GRANTERS),
    "grant own API app role to a managed identity": Case(
        own_api_role_to_managed_identity, APP_MANAGERS | GRAPH_ROLE_GRANTERS
    ),
    "set the tenant's password expiry": Case(set_password_expiry, PASSWORD_EXPIRY_SETTERS),
    "reset a Global Administrator's password": Case(reset_global_admin_password, GLOBAL_ADMIN_RESETTERS),
    "unlock a Global Administrator": Case(unlock_global_admin, GLOBAL_ADMIN_RESETTERS),
    "issue a TAP for a Global Administrator": Case(tap_for_global_admin, GLOBAL_ADMIN_RESETTERS),
    "e-mail method on a Global Administrator": Case(email_method_for_global_admin, GLOBAL_ADMIN_RESETTERS),
    "rename a Global Administrator": Case(rename_global_admin, GLOBAL_ADMIN_RENAMERS),
    "disable a Global Administrator": Case(disable_global_admin, GLOBAL_ADMIN_RESETTERS),
    # Before "join a role-assignable group": that path makes its allowed callers Global Administrators.
    "create a conditional access policy": Case(create_ca_policy, CA_POLICY_WRITERS),
    "join a role-assignable group": Case(join_role_assignable_group, ROLE_GROUP_MANAGERS),
    "create a role-assignable group": Case(create_role_assignable_group, ROLE_GROUP_MANAGERS),
}


@pytest.fixture(scope="module")
def callers(graph: GraphWorld) -> dict[str, Caller]:
    """One token per caller of the matrix."""
    made: dict[str, Caller] = {}
    for name, permissions in APP_CALLERS.items():
        app, secret = graph.daemon(*permissions)
        result = graph.msal_token(app.app_id, secret)
        made[name] = Caller(result["access_token"], _sp_id(graph, app))
    for name, role in USER_CALLERS.items():
        user = graph.new_user("caller", *((role,) if role else ()))
        made[name] = Caller(graph.user_token(user, "Directory.AccessAsUser.All"), user.id)
    for name in AZ_CALLERS:
        user = graph.new_user("az-caller")
        made[name] = Caller(_azure_cli_token(graph, user.user_principal_name), user.id)
    return made


def _azure_cli_token(graph: GraphWorld, username: str) -> str:
    """What `az login -u/-p` then `az ad ...` hold: the Azure CLI's Graph token, Graph named by our URL."""
    form = {
        "grant_type": "password",
        "client_id": AZURE_CLI_APP_ID,
        "username": username,
        "password": PASSWORD,
        "scope": f"{BASE_URL}//.default offline_access openid profile",
    }
    response: httpx.Response = graph.http.post(graph.token_url(), data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    graph.sensitive.add(token)
    return token


@pytest.mark.parametrize("caller_name", CALLERS)
@pytest.mark.parametrize("path", MATRIX)
def test_escalation_matrix(
    graph: GraphWorld, client: Any, callers: dict[str, Caller], path: str, caller_name: str
) -> None:
    """Each caller × each path: allowed ones succeed, the others get 403 (or, for first-party objects, a 4xx)."""
    case = MATRIX[path]
    response = case.call(graph, client, callers[caller_name])
    if caller_name in case.allowed:
        assert response.status_code in (200, 201, 204), response.text
    elif case.allowed:
        assert_graph_error(response, 403, FORBIDDEN)
    else:
        assert response.status_code in (400, 403, 404, 409), response.text


def test_denials_name_what_would_allow(graph: GraphWorld, client: Any, callers: dict[str, Caller]) -> None:
    """An app administrator asking for a Graph app role is told which roles and permission could grant it."""
    app_admin = grant_graph_role_management(graph, client, callers["user:Application Administrator"])
    message = assert_graph_error(app_admin, 403, FORBIDDEN)["message"]
    assert "Global Administrator" in message and "Privileged Role Administrator" in message
    daemon = grant_graph_role_management(graph, client, callers["app:Application.ReadWrite.All"])
    assert "AppRoleAssignment.ReadWrite.All" in assert_graph_error(daemon, 403, FORBIDDEN)["message"]
    privileged = secret_on_privileged_app(graph, client, callers["user:Application Administrator"])
    assert "privileged access" in assert_graph_error(privileged, 403, FORBIDDEN)["message"]


def test_the_reported_escalation_is_closed(graph: GraphWorld, client: Any) -> None:
    """The attack as reported: Application.ReadWrite.All grants itself RoleManagement.ReadWrite.Directory on
    Graph's SP (403 now), and its next token therefore cannot assign Global Administrator (403)."""
    app, secret = graph.daemon("Application.ReadWrite.All")
    token = graph.msal_token(app.app_id, secret)["access_token"]
    own_sp = _sp_id(graph, app)
    resource = _sp_id(graph, GRAPH_APP_ID)
    body = {"principalId": own_sp, "resourceId": resource, "appRoleId": ROLE_MANAGEMENT_ROLE_ID}
    url = f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo"
    assert_graph_error(client.post(url, headers=auth(token), json=body), 403, FORBIDDEN)
    again = graph.msal_token(app.app_id, secret)["access_token"]
    promote = {"principalId": own_sp, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID, "directoryScopeId": "/"}
    response = client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(again), json=promote)
    assert_graph_error(response, 403, FORBIDDEN)


def test_owner_keeps_managing_a_privileged_app(graph: GraphWorld, client: Any) -> None:
    """The guard is about taking control, not about the owners who already have it: an owner without any
    role may still roll the privileged app's secrets."""
    owner = graph.new_user("owner")
    app = _privileged_app(graph)
    graph.services.apps.add_owner(app, owner.id)
    token = graph.user_token(owner, "Application.ReadWrite.All")
    response = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    assert response.status_code == 200, response.text
    graph.sensitive.add(response.json()["secretText"])
