"""App registration operations: create (with its service principal), roles, permissions, admin consent."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from tenantry.apps.changes import (
    KEEP,
    PLATFORMS,
    AppError,
    ApplicationChanges,
    Keep,
    apply_changes,
    check_identifier_uri,
    check_redirect_uri,
    modified_properties,
)
from tenantry.apps.consent import ALL_PRINCIPALS, record_consent
from tenantry.apps.identifier_uris import check_identifier_uris_free
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
from tenantry.apps.operations import (
    AppsUnit,
    ConflictError,
    NotFoundError,
    OwnerOperations,
    ServicePrincipalOperations,
    app_target,
    principal_target,
    remove_service_principal,
    sp_target,
)
from tenantry.apps.references import AppReferenceError, find_app_by_reference, not_found
from tenantry.apps.repository import IdentifierUriTakenError
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.ids import new_guid
from tenantry.directory.principals import DirectoryPrincipal

__all__ = [
    "KEEP",
    "PLATFORMS",
    "AppError",
    "AppReferenceError",
    "AppService",
    "ApplicationChanges",
    "AppsUnit",
    "ConflictError",
    "IdentifierUriTakenError",
    "NotFoundError",
    "check_identifier_uri",
    "check_redirect_uri",
]


class AppService(OwnerOperations, ServicePrincipalOperations):
    """Every write runs in one transaction, so an app never exists without its service principal; every
    change to an app, its owners or its service principals is audited in the same transaction."""

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
        """Register an app and its service principal in `tenant_id`; redirect URIs come as (platform, uri).
        Audited as made by the system (the CLI); Graph calls `create_application` with its caller."""
        for platform, uri in redirect_uris:
            check_redirect_uri(uri, platform)
        changes = ApplicationChanges(
            display_name=display_name,
            identifier_uris=identifier_uris,
            web_redirect_uris=tuple(u for p, u in redirect_uris if p == "web"),
            spa_redirect_uris=tuple(u for p, u in redirect_uris if p == "spa"),
            public_client_redirect_uris=tuple(u for p, u in redirect_uris if p == "public"),
            is_fallback_public_client=public_client,
            requested_access_token_version=access_token_version,
        )
        return self.create_application(tenant_id, changes)

    def create_application(
        self,
        tenant_id: str,
        changes: ApplicationChanges,
        *,
        ctx: AuditContext | None = None,
        owner: DirectoryPrincipal | None = None,
        with_service_principal: bool = True,
    ) -> Application:
        """The app, its service principal unless `with_service_principal` is off, and the creator as owner
        when given. Graph's `POST /applications` creates no service principal (Entra's doesn't: clients such
        as `az ad app create` then `az ad sp create --id` make it, and would find it taken); the CLI and the
        portal-like paths create both, as the portal does."""
        if isinstance(changes.display_name, Keep):
            raise AppError("displayName is required")
        ctx = self._context(ctx)
        blank = Application(new_guid(), tenant_id, new_guid(), "", ctx.now, SignInAudience.MY_ORG)
        app = apply_changes(blank, changes)
        sp = ServicePrincipal(new_guid(), tenant_id, app.app_id, app.display_name, ctx.now)
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise AppError(f"tenant '{tenant_id}' does not exist")
            check_identifier_uris_free(unit, app)
            unit.add_application(app)
            record(unit, ctx, tenant_id, AuditActivity.ADD_APPLICATION, (app_target(app),), "Add")
            if with_service_principal:
                unit.add_service_principal(sp)
                record(unit, ctx, tenant_id, AuditActivity.ADD_SERVICE_PRINCIPAL, (sp_target(sp),), "Add")
            if owner is not None:
                unit.add_owner(tenant_id, app.id, owner.id, owner.type)
                targets = (app_target(app), principal_target(owner))
                record(unit, ctx, tenant_id, AuditActivity.ADD_OWNER, targets, "Assign")
        return app

    def update_application(
        self, app: Application, changes: ApplicationChanges, *, ctx: AuditContext | None = None
    ) -> Application:
        """Graph `PATCH /applications/{id}`: apply `changes` to the stored app and audit what changed."""
        ctx = self._context(ctx)
        with self._transaction() as unit:
            current = unit.find_application(app.id)
            if current is None or current.tenant_id != app.tenant_id:
                raise NotFoundError(f"Resource '{app.id}' does not exist.")
            updated = apply_changes(current, changes)
            check_identifier_uris_free(unit, updated)
            unit.update_application(updated)
            targets = (app_target(updated, modified_properties(current, updated)),)
            record(unit, ctx, app.tenant_id, AuditActivity.UPDATE_APPLICATION, targets, "Update")
        return updated

    def delete_application(self, app: Application, *, ctx: AuditContext | None = None) -> None:
        """Graph `DELETE /applications/{id}`: the app, its credentials and owners, and its home-tenant SP."""
        ctx = self._context(ctx)
        with self._transaction() as unit:
            sp = unit.find_service_principal_by_app_id(app.tenant_id, app.app_id)
            if sp is not None:
                remove_service_principal(unit, sp)
            if not unit.delete_application(app.tenant_id, app.id):
                raise NotFoundError(f"Resource '{app.id}' does not exist.")
            record(unit, ctx, app.tenant_id, AuditActivity.DELETE_APPLICATION, (app_target(app),), "Delete")

    def find_application(self, tenant_id: str, object_id: str) -> Application | None:
        """By object id, only within `tenant_id` (Graph never shows another tenant's objects)."""
        with self._transaction() as unit:
            app = unit.find_application(object_id.lower())
        return app if app is not None and app.tenant_id == tenant_id else None

    def find_application_by_app_id(self, tenant_id: str, app_id: str) -> Application | None:
        """By appId, only within `tenant_id` (`/applications(appId='…')`)."""
        with self._transaction() as unit:
            app = unit.find_application_by_app_id(app_id.lower())
        return app if app is not None and app.tenant_id == tenant_id else None

    def find_app(self, reference: str, tenant_id: str | None = None) -> Application | None:
        """An app by appId, object id or App ID URI (`apps/references.py`), like `az ad app show --id`; a URI
        is looked up among first-party apps and `tenant_id`'s, or without one in the whole directory."""
        with self._transaction() as unit:
            return find_app_by_reference(unit, reference, tenant_id)

    def get_app(self, reference: str, tenant_id: str | None = None) -> Application:
        """`find_app`, or `AppReferenceError` saying what was tried."""
        app = self.find_app(reference, tenant_id)
        if app is None:
            raise not_found(reference, tenant_id)
        return app

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
        *,
        ctx: AuditContext | None = None,
    ) -> AppRole:
        """Expose a new app role; values are unique per app (they are what `roles` carries); audited as
        Graph's `PATCH appRoles` is."""
        if not value or " " in value or len(value) > 120:
            raise AppError("an app role value is 1–120 characters without spaces")
        role = AppRole(new_guid(), value, display_name or value, "", member_types)
        with self._transaction() as unit:
            current = _current(unit, app)
            if any(r.value == value for r in current.app_roles):
                raise AppError(f"app role '{value}' already exists")
            self._save(unit, ctx, current, replace(current, app_roles=(*current.app_roles, role)))
        return role

    def add_permission(
        self, app: Application, api: str, permission: str, kind: str, *, ctx: AuditContext | None = None
    ) -> Application:
        """Add a required permission (`Role` = app role, `Scope` = delegated) on the API `api` (appId, object
        id or App ID URI, a URI as `app`'s tenant resolves it), by the permission's value or id."""
        with self._transaction() as unit:
            resource = find_app_by_reference(unit, api, app.tenant_id)
            if resource is None:
                raise not_found(api, app.tenant_id)
            access = ResourceAccess(_permission_id(resource, permission, kind), kind)
            app = _current(unit, app)
            entries = {r.resource_app_id: r for r in app.required_resource_access}
            current = entries.get(resource.app_id, RequiredResourceAccess(resource.app_id, ()))
            if access not in current.resource_access:
                current = RequiredResourceAccess(resource.app_id, (*current.resource_access, access))
            entries[resource.app_id] = current
            updated = replace(app, required_resource_access=tuple(entries.values()))
            self._save(unit, ctx, app, updated)
        return updated

    def update_service_principal(
        self,
        tenant_id: str,
        app: str,
        *,
        enabled: bool | None = None,
        assignment_required: bool | None = None,
        ctx: AuditContext | None = None,
    ) -> ServicePrincipal:
        """Enable or disable the SP in `tenant_id` of the app `app` (appId, object id or App ID URI, a URI
        as that tenant resolves it), or require app role assignments for tokens issued for it."""
        with self._transaction() as unit:
            target = find_app_by_reference(unit, app, tenant_id)
            if target is None:
                raise not_found(app, tenant_id)
            sp = unit.find_service_principal_by_app_id(tenant_id, target.app_id)
        if sp is None:
            raise AppError(f"the app '{app}' has no service principal in tenant '{tenant_id}'")
        return self.change_service_principal(sp, enabled=enabled, assignment_required=assignment_required, ctx=ctx)

    def admin_consent(
        self, app: Application, tenant_id: str | None = None, *, ctx: AuditContext | None = None
    ) -> list[AppRoleAssignment]:
        """Grant every permission the app requires, in `tenant_id` (default: its own): application
        permissions become app role assignments, delegated ones a tenant-wide (AllPrincipals) consent."""
        tenant = tenant_id or app.tenant_id
        granted: list[AppRoleAssignment] = []
        ctx = self._context(ctx)
        now = ctx.now
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
                        targets = (sp_target(resource), Target("ServicePrincipal", client.id, client.display_name))
                        record(unit, ctx, tenant, AuditActivity.ADD_APP_ROLE_ASSIGNMENT, targets, "Assign")
                scopes = [
                    s.value
                    for s in resource_app.oauth2_permission_scopes
                    if any(a.type == "Scope" and a.id == s.id for a in entry.resource_access)
                ]
                if scopes:
                    record_consent(unit, client, resource, None, scopes, now)
        return granted

    def list_admin_granted_scopes(self, tenant_id: str, client_app_id: str, resource_app_id: str) -> frozenset[str]:
        """The scope values of `resource_app_id` an administrator granted for every user (`AllPrincipals`) to
        `client_app_id` in `tenant_id`: what the portal's *Status* calls "Granted for <tenant>"."""
        with self._transaction() as unit:
            client = unit.find_service_principal_by_app_id(tenant_id, client_app_id)
            resource = unit.find_service_principal_by_app_id(tenant_id, resource_app_id)
            if client is None or resource is None:
                return frozenset()
            grants = unit.list_permission_grants(tenant_id, client.id, resource.id)
        return frozenset(v for g in grants if g.consent_type == ALL_PRINCIPALS for v in g.scopes)

    def add_scope(
        self,
        app: Application,
        value: str,
        consent_type: str = "User",
        display_name: str = "",
        *,
        ctx: AuditContext | None = None,
    ) -> PermissionScope:
        """Expose a delegated permission (`api.oauth2PermissionScopes`); `Admin` ones need admin consent."""
        if not value or " " in value or len(value) > 120:
            raise AppError("a scope value is 1–120 characters without spaces")
        if consent_type not in ("User", "Admin"):
            raise AppError("a scope's consent type is User or Admin")
        label = display_name or value
        scope = PermissionScope(new_guid(), value, consent_type, label, label, label, label)
        with self._transaction() as unit:
            current = _current(unit, app)
            if any(s.value == value for s in current.oauth2_permission_scopes):
                raise AppError(f"scope '{value}' already exists")
            scopes = (*current.oauth2_permission_scopes, scope)
            self._save(unit, ctx, current, replace(current, oauth2_permission_scopes=scopes))
        return scope

    def set_exposed_state(
        self, app: Application, kind: str, item_id: str, *, enabled: bool | None, ctx: AuditContext | None = None
    ) -> Application:
        """Enable or disable an app role (`kind` `Role`) or a scope (`Scope`), or delete it (`enabled` None).
        As on Graph, only a disabled one may be deleted: whoever holds it loses it when it is disabled, so
        deleting is never the first step."""
        with self._transaction() as unit:
            current = _current(unit, app)
            if kind == "Role":
                updated = replace(current, app_roles=_exposed(current.app_roles, item_id, enabled))
            else:
                scopes = _exposed(current.oauth2_permission_scopes, item_id, enabled)
                updated = replace(current, oauth2_permission_scopes=scopes)
            self._save(unit, ctx, current, updated)
        return updated

    def _save(self, unit: AppsUnit, ctx: AuditContext | None, before: Application, after: Application) -> None:
        """Store `after` and audit it as an update of the application (what changed, as `PATCH` records it)."""
        unit.update_application(after)
        targets = (app_target(after, modified_properties(before, after)),)
        record(unit, self._context(ctx), after.tenant_id, AuditActivity.UPDATE_APPLICATION, targets, "Update")


def _current(unit: AppsUnit, app: Application) -> Application:
    """The stored version of `app`, read in the writing transaction, so a change never overwrites another
    made since `app` was read."""
    current = unit.find_application(app.id)
    if current is None or current.tenant_id != app.tenant_id:
        raise NotFoundError(f"Resource '{app.id}' does not exist.")
    return current


Exposed = TypeVar("Exposed", AppRole, PermissionScope)


def _exposed(items: tuple[Exposed, ...], item_id: str, enabled: bool | None) -> tuple[Exposed, ...]:
    """`items` with one enabled, disabled or (when already disabled) deleted."""
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFoundError(f"No app role or scope has the id '{item_id}'.")
    if enabled is not None:
        return tuple(replace(i, is_enabled=enabled) if i.id == item_id else i for i in items)
    if item.is_enabled:
        raise AppError(f"'{item.value}' is enabled: disable it first, then delete it.")
    return tuple(i for i in items if i.id != item_id)


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
