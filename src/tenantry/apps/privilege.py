"""Which apps are first-party, and which hold access privileged enough that managing them is a way up.

First-party apps (Microsoft Graph, Azure Resource Manager, the Azure CLI and Azure PowerShell) live in the
hidden system tenant. Their service principals refuse credentials, owners, deletion and disabling, their
identifier URIs are reserved (the server's public URL among them, as a name of Graph), and their app roles
are granted only by callers with `CONSENT_ANY_API` (`directory/authorization.py`). No tenant user can turn
the pre-authorised Azure CLI into more rights: it holds no secret, nobody can add one or become its owner,
and its delegated tokens carry only what the signed-in user's roles allow.

An app **holds privileged access** in a tenant when its service principal there holds a privileged
directory role (Global Administrator, Privileged Role Administrator, …) or an app role of a first-party
API from `PRIVILEGED_FIRST_PARTY_APP_ROLES`: permissions with which an app can make itself Global
Administrator. Whoever adds a secret to such an app, or makes itself its owner, acts as it; so those
changes need what the app holds (`PRIVILEGED_APP_MANAGEMENT`), not just app administration.
"""

from __future__ import annotations

from typing import Protocol

from tenantry.apps.first_party import SYSTEM_TENANT_ID
from tenantry.apps.models import Application
from tenantry.apps.repository import (
    ApplicationReader,
    AssignmentReader,
    ServicePrincipalDirectory,
    ServicePrincipalReader,
)
from tenantry.directory.authorization import PrincipalRolesReader, list_principal_roles

# Graph application permissions that reach Global Administrator in one or two calls.
PRIVILEGED_FIRST_PARTY_APP_ROLES = frozenset(
    {
        "RoleManagement.ReadWrite.Directory",  # assign itself any directory role
        "AppRoleAssignment.ReadWrite.All",  # grant itself RoleManagement.ReadWrite.Directory
    }
)


class PrivilegeUnit(
    ApplicationReader,
    ServicePrincipalReader,
    ServicePrincipalDirectory,
    AssignmentReader,
    PrincipalRolesReader,
    Protocol,
):
    """The reads that decide whether an app holds privileged access."""


def is_first_party(app: Application | None) -> bool:
    """Whether `app` is one of the apps every tenant gets from the system tenant (Microsoft Graph, …)."""
    return app is not None and app.tenant_id == SYSTEM_TENANT_ID


def holds_privileged_access(unit: PrivilegeUnit, tenant_id: str, app: Application) -> bool:
    """Whether the app's service principal in `tenant_id` holds a privileged directory role (directly or
    through a role-assignable group) or a privileged app role of a first-party API."""
    sp = unit.find_service_principal_by_app_id(tenant_id, app.app_id)
    if sp is None:
        return False
    if any(role.is_privileged for role in list_principal_roles(unit, tenant_id, sp.id)):
        return True
    for resource in unit.list_service_principals(tenant_id):
        resource_app = unit.find_application_by_app_id(resource.app_id)
        if not is_first_party(resource_app) or resource_app is None:
            continue
        held = {a.app_role_id for a in unit.list_assignments(tenant_id, sp.id, resource.id)}
        if any(r.id in held and r.value in PRIVILEGED_FIRST_PARTY_APP_ROLES for r in resource_app.app_roles):
            return True
    return False
