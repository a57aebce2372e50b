"""Recording the answer of the consent page: a user's own consent, or an administrator's for the tenant.

User consent adds the prompt's scopes to the user's `Principal` grant; admin consent (the
`/adminconsent` endpoint) grants everything the client statically requires: delegated scopes as an
`AllPrincipals` grant, application permissions as app role assignments (entra-reference §4.4).

Who may grant tenant-wide consent is Entra's rule, decided by directory roles only (a group's name confers
nothing, and neither does being a tenant's first user): consent that includes application permissions
(app roles) of a first-party API such as Microsoft Graph needs `CONSENT_ANY_API` (Global or Privileged Role
Administrator); any other consent needs `CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES` (those two, Application and
Cloud Application Administrators).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.apps.consent import record_consent
from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal, SignInAudience
from tenantry.apps.privilege import is_first_party
from tenantry.apps.repository import (
    ApplicationReader,
    AssignmentRepository,
    PermissionGrantRepository,
    ServicePrincipalRepository,
)
from tenantry.common.ids import new_guid
from tenantry.directory.authorization import PrincipalRolesReader, list_principal_roles
from tenantry.directory.models import User
from tenantry.directory.roles import CONSENT_ANY_API, CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES
from tenantry.sessions.flow import ConsentPrompt


class ConsentUnit(
    ApplicationReader, ServicePrincipalRepository, AssignmentRepository, PermissionGrantRepository, Protocol
):
    """What recording consent needs (admin consent may create service principals)."""


class AdminDirectory(ApplicationReader, PrincipalRolesReader, Protocol):
    """What the administrator check reads."""


class ConsentError(ValueError):
    """The apps named by a consent prompt are gone (deleted or disabled between prompt and answer)."""


def admin_consent_action(client: Application, unit: ApplicationReader) -> str:
    """The directory action that granting `client`'s required permissions tenant-wide needs."""
    for entry in client.required_resource_access:
        wants_roles = any(a.type == "Role" for a in entry.resource_access)
        if wants_roles and is_first_party(unit.find_application_by_app_id(entry.resource_app_id)):
            return CONSENT_ANY_API
    return CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES


def may_grant_admin_consent(user: User, client: Application, unit: AdminDirectory) -> bool:
    """Whether `user`'s directory roles (its own, and its role-assignable groups') allow granting, tenant-wide,
    everything `client` requires."""
    action = admin_consent_action(client, unit)
    return any(role.allows(action) for role in list_principal_roles(unit, user.tenant_id, user.id))


def record_user_consent(prompt: ConsentPrompt, user: User, unit: ConsentUnit, now: datetime) -> None:
    """Add the prompt's scopes to the user's own grant for (client, resource) in the prompt's tenant."""
    client = unit.find_service_principal_by_app_id(prompt.tenant_id, prompt.client_app_id)
    resource = unit.find_service_principal_by_app_id(prompt.tenant_id, prompt.resource_app_id)
    if client is None or resource is None:
        raise ConsentError("the client or resource of this consent no longer exists in the tenant")
    if prompt.scopes:
        record_consent(unit, client, resource, user, prompt.scopes, now)


def provisioned(unit: ConsentUnit, app: Application, tenant_id: str, now: datetime) -> ServicePrincipal | None:
    """The app's service principal in the tenant; a multi-tenant app of another tenant gets one now, as
    Entra provisions an app (and the APIs it requires) in a tenant whose administrator consents to it."""
    found = unit.find_service_principal_by_app_id(tenant_id, app.app_id)
    if found is not None or (app.tenant_id != tenant_id and app.sign_in_audience is SignInAudience.MY_ORG):
        return found
    sp = ServicePrincipal(new_guid(), tenant_id, app.app_id, app.display_name, now)
    unit.add_service_principal(sp)
    return sp


def grant_admin_consent(prompt: ConsentPrompt, unit: ConsentUnit, now: datetime) -> None:
    """Grant, tenant-wide, every permission the client app statically requires (like `AppService.admin_consent`,
    inside the caller's transaction): delegated scopes for all users, application permissions as assignments."""
    app = unit.find_application_by_app_id(prompt.client_app_id)
    client = provisioned(unit, app, prompt.tenant_id, now) if app is not None else None
    if app is None or client is None:
        raise ConsentError("the client of this consent no longer exists in the tenant")
    for entry in app.required_resource_access:
        resource_app = unit.find_application_by_app_id(entry.resource_app_id)
        resource = provisioned(unit, resource_app, prompt.tenant_id, now) if resource_app is not None else None
        if resource is None or resource_app is None:
            continue
        for access in (a for a in entry.resource_access if a.type == "Role"):
            assignment = AppRoleAssignment(
                new_guid(), prompt.tenant_id, client.id, "ServicePrincipal", resource.id, access.id, now
            )
            unit.add_assignment(assignment)
        wanted = {a.id for a in entry.resource_access if a.type == "Scope"}
        scopes = [s.value for s in resource_app.oauth2_permission_scopes if s.id in wanted and s.is_enabled]
        if scopes:
            record_consent(unit, client, resource, None, scopes, now)
