"""App registration operations: create (with its service principal), roles, permissions, admin consent."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol
from urllib.parse import urlsplit

from tenantry.apps.consent import record_consent
from tenantry.apps.models import (
    Application,
    AppRole,
    AppRoleAssignment,
    PermissionScope,
    RequiredResourceAccess,
    ResourceAccess,
    ServicePrincipal,
    SignInAudience,
)
from tenantry.apps.repository import (
    ApplicationLookup,
    ApplicationRepository,
    AssignmentRepository,
    IdentifierUriTakenError,
    PermissionGrantRepository,
    ServicePrincipalRepository,
)
from tenantry.common.clock import Clock
from tenantry.common.ids import is_guid, new_guid
from tenantry.directory.repository import TenantRepository

PLATFORMS = ("web", "spa", "public")


class AppsUnit(
    TenantRepository,
    ApplicationRepository,
    ApplicationLookup,
    ServicePrincipalRepository,
    AssignmentRepository,
    PermissionGrantRepository,
    Protocol,
):
    """The repositories one app-management transaction needs."""


class AppError(ValueError):
    """A request the directory refuses, with a message fit for the CLI and Graph."""


__all__ = ["AppError", "AppService", "IdentifierUriTakenError", "check_identifier_uri", "check_redirect_uri"]


def check_redirect_uri(uri: str, platform: str) -> None:
    """Web and SPA redirect URIs are https, or http on loopback (Entra's rule); public clients may use any scheme."""
    parts = urlsplit(uri)
    if platform not in PLATFORMS:
        raise AppError(f"platform must be one of {', '.join(PLATFORMS)}")
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.hostname):
        raise AppError(f"'{uri}' is not an absolute URI")
    if parts.fragment:
        raise AppError("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)")
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if platform != "public" and parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise AppError(f"'{uri}' must use https (http is allowed only for localhost)")


def check_identifier_uri(uri: str) -> None:
    """App ID URIs are absolute `api://` or `https://` URIs without query or fragment."""
    parts = urlsplit(uri)
    if parts.scheme not in ("api", "https") or not parts.netloc or parts.query or parts.fragment:
        raise AppError(f"'{uri}' is not a valid App ID URI (use api://… or https://…)")


class AppService:
    """Every write runs in one transaction, so an app never exists without its service principal."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[AppsUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def create_app(
        self,
        tenant_id: str,
        display_name: str,
        *,
        identifier_uris: tuple[str, ...] = (),
        redirect_uris: tuple[tuple[str, str], ...] = (),
        public_client: bool = False,
        access_token_version: int | None = None,
    ) -> Application:
        """Register an app and its service principal in `tenant_id`; redirect URIs come as (platform, uri)."""
        for uri in identifier_uris:
            check_identifier_uri(uri)
        for platform, uri in redirect_uris:
            check_redirect_uri(uri, platform)
        if access_token_version not in (None, 1, 2):
            raise AppError("the access token version must be 1 or 2")
        now = self._clock.now()
        app = Application(
            id=new_guid(),
            tenant_id=tenant_id,
            app_id=new_guid(),
            display_name=display_name,
            created_at=now,
            sign_in_audience=SignInAudience.MY_ORG,
            identifier_uris=tuple(dict.fromkeys(identifier_uris)),
            web_redirect_uris=tuple(u for p, u in redirect_uris if p == "web"),
            spa_redirect_uris=tuple(u for p, u in redirect_uris if p == "spa"),
            public_client_redirect_uris=tuple(u for p, u in redirect_uris if p == "public"),
            is_fallback_public_client=public_client,
            requested_access_token_version=access_token_version,
        )
        sp = ServicePrincipal(new_guid(), tenant_id, app.app_id, display_name, now)
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise AppError(f"tenant '{tenant_id}' does not exist")
            for uri in app.identifier_uris:
                if unit.find_application_by_identifier_uri(tenant_id, uri) is not None:
                    raise IdentifierUriTakenError(f"App ID URI '{uri}' is already used in this tenant")
            unit.add_application(app)
            unit.add_service_principal(sp)
        return app

    def find_app(self, reference: str) -> Application | None:
        """An app by appId or object id (GUIDs), or by App ID URI in any tenant, like `az ad app show --id`."""
        with self._transaction() as unit:
            if is_guid(reference):
                return unit.find_application_by_app_id(reference.lower()) or unit.find_application(reference.lower())
            for tenant in unit.list_tenants():
                found = unit.find_application_by_identifier_uri(tenant.id, reference)
                if found is not None:
                    return found
        return None

    def list_apps(self, tenant_id: str) -> list[Application]:
        """The tenant's app registrations."""
        with self._transaction() as unit:
            return unit.list_applications(tenant_id)

    def add_app_role(
        self,
        app: Application,
        value: str,
        display_name: str = "",
        member_types: tuple[str, ...] = ("Application",),
    ) -> AppRole:
        """Expose a new app role; values are unique per app (they are what `roles` carries)."""
        if not value or " " in value or len(value) > 120:
            raise AppError("an app role value is 1–120 characters without spaces")
        if any(r.value == value for r in app.app_roles):
            raise AppError(f"app role '{value}' already exists")
        role = AppRole(new_guid(), value, display_name or value, "", member_types)
        with self._transaction() as unit:
            unit.update_application(replace(app, app_roles=(*app.app_roles, role)))
        return role

    def add_permission(self, app: Application, api_app_id: str, permission: str, kind: str) -> Application:
        """Add a required permission (`Role` = app role, `Scope` = delegated) on another app, by value or id."""
        with self._transaction() as unit:
            api = unit.find_application_by_app_id(api_app_id.lower())
            if api is None:
                raise AppError(f"no application with appId '{api_app_id}'")
            access = ResourceAccess(_permission_id(api, permission, kind), kind)
            entries = {r.resource_app_id: r for r in app.required_resource_access}
            current = entries.get(api.app_id, RequiredResourceAccess(api.app_id, ()))
            if access not in current.resource_access:
                current = RequiredResourceAccess(api.app_id, (*current.resource_access, access))
            entries[api.app_id] = current
            updated = replace(app, required_resource_access=tuple(entries.values()))
            unit.update_application(updated)
        return updated

    def update_service_principal(
        self,
        tenant_id: str,
        app_id: str,
        *,
        enabled: bool | None = None,
        assignment_required: bool | None = None,
    ) -> ServicePrincipal:
        """Enable or disable an SP, or require app role assignments for tokens issued for it."""
        with self._transaction() as unit:
            sp = unit.find_service_principal_by_app_id(tenant_id, app_id)
            if sp is None:
                raise AppError(f"the app '{app_id}' has no service principal in tenant '{tenant_id}'")
            updated = replace(
                sp,
                account_enabled=sp.account_enabled if enabled is None else enabled,
                app_role_assignment_required=(
                    sp.app_role_assignment_required if assignment_required is None else assignment_required
                ),
            )
            unit.update_service_principal(updated)
        return updated

    def admin_consent(self, app: Application, tenant_id: str | None = None) -> list[AppRoleAssignment]:
        """Grant every permission the app requires, in `tenant_id` (default: its own): application
        permissions become app role assignments, delegated ones a tenant-wide (AllPrincipals) consent."""
        tenant = tenant_id or app.tenant_id
        granted: list[AppRoleAssignment] = []
        now = self._clock.now()
        with self._transaction() as unit:
            client = unit.find_service_principal_by_app_id(tenant, app.app_id)
            if client is None:
                raise AppError(f"the app has no service principal in tenant '{tenant}'")
            for entry in app.required_resource_access:
                resource = unit.find_service_principal_by_app_id(tenant, entry.resource_app_id)
                resource_app = unit.find_application_by_app_id(entry.resource_app_id)
                if resource is None or resource_app is None:
                    raise AppError(f"the API '{entry.resource_app_id}' has no service principal in the tenant")
                for access in entry.resource_access:
                    if access.type == "Role":
                        assignment = AppRoleAssignment(
                            new_guid(), tenant, client.id, "ServicePrincipal", resource.id, access.id, now
                        )
                        unit.add_assignment(assignment)
                        granted.append(assignment)
                scopes = [
                    s.value
                    for s in resource_app.oauth2_permission_scopes
                    if any(a.type == "Scope" and a.id == s.id for a in entry.resource_access)
                ]
                if scopes:
                    record_consent(unit, client, resource, None, scopes, now)
        return granted

    def add_scope(
        self, app: Application, value: str, consent_type: str = "User", display_name: str = ""
    ) -> PermissionScope:
        """Expose a delegated permission (`api.oauth2PermissionScopes`); `Admin` ones need admin consent."""
        if not value or " " in value or len(value) > 120:
            raise AppError("a scope value is 1–120 characters without spaces")
        if consent_type not in ("User", "Admin"):
            raise AppError("a scope's consent type is User or Admin")
        if any(s.value == value for s in app.oauth2_permission_scopes):
            raise AppError(f"scope '{value}' already exists")
        label = display_name or value
        scope = PermissionScope(new_guid(), value, consent_type, label, label, label, label)
        with self._transaction() as unit:
            unit.update_application(replace(app, oauth2_permission_scopes=(*app.oauth2_permission_scopes, scope)))
        return scope


def _permission_id(api: Application, permission: str, kind: str) -> str:
    """Resolve a permission given by value or id to its id on the API app."""
    if kind == "Role":
        match = next((r.id for r in api.app_roles if permission in (r.id, r.value)), None)
    elif kind == "Scope":
        match = next((s.id for s in api.oauth2_permission_scopes if permission in (s.id, s.value)), None)
    else:
        raise AppError("permission type must be Role or Scope")
    if match is None:
        raise AppError(f"the API '{api.display_name}' exposes no {kind} named '{permission}'")
    return match
