"""Applications, service principals and app role assignments in SQL.

List-valued Graph properties live in one JSON `document` column; only what queries need (appId,
identifier URIs) has columns and indexes of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tenantry.apps.first_party import SYSTEM_TENANT_ID
from tenantry.apps.identifier_uris import identifier_uri_key
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
from tenantry.apps.repository import IdentifierUriTakenError
from tenantry.common.clock import as_utc
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import (
    app_role_assignments,
    application_identifier_uris,
    applications,
    service_principals,
)


def _document(app: Application) -> dict[str, Any]:
    return {
        "identifierUris": list(app.identifier_uris),
        "web": list(app.web_redirect_uris),
        "spa": list(app.spa_redirect_uris),
        "publicClient": list(app.public_client_redirect_uris),
        "enableIdTokenIssuance": app.enable_id_token_issuance,
        "groupMembershipClaims": app.group_membership_claims,
        "appRoles": [
            {
                "id": r.id,
                "value": r.value,
                "displayName": r.display_name,
                "description": r.description,
                "allowedMemberTypes": list(r.allowed_member_types),
                "isEnabled": r.is_enabled,
            }
            for r in app.app_roles
        ],
        "oauth2PermissionScopes": [
            {
                "id": s.id,
                "value": s.value,
                "type": s.type,
                "adminConsentDisplayName": s.admin_consent_display_name,
                "adminConsentDescription": s.admin_consent_description,
                "userConsentDisplayName": s.user_consent_display_name,
                "userConsentDescription": s.user_consent_description,
                "isEnabled": s.is_enabled,
            }
            for s in app.oauth2_permission_scopes
        ],
        "requiredResourceAccess": [
            {
                "resourceAppId": r.resource_app_id,
                "resourceAccess": [{"id": a.id, "type": a.type} for a in r.resource_access],
            }
            for r in app.required_resource_access
        ],
    }


def _application(row: Row[Any]) -> Application:
    doc: dict[str, Any] = row.document
    return Application(
        id=row.id,
        tenant_id=row.tenant_id,
        app_id=row.app_id,
        display_name=row.display_name,
        created_at=as_utc(row.created_at),
        sign_in_audience=SignInAudience(row.sign_in_audience),
        identifier_uris=tuple(doc.get("identifierUris", ())),
        web_redirect_uris=tuple(doc.get("web", ())),
        spa_redirect_uris=tuple(doc.get("spa", ())),
        public_client_redirect_uris=tuple(doc.get("publicClient", ())),
        is_fallback_public_client=row.is_fallback_public_client,
        app_roles=tuple(
            AppRole(
                r["id"],
                r["value"],
                r["displayName"],
                r.get("description", ""),
                tuple(r["allowedMemberTypes"]),
                r["isEnabled"],
            )
            for r in doc.get("appRoles", ())
        ),
        oauth2_permission_scopes=tuple(
            PermissionScope(
                s["id"],
                s["value"],
                s["type"],
                s["adminConsentDisplayName"],
                s["adminConsentDescription"],
                s["userConsentDisplayName"],
                s["userConsentDescription"],
                s["isEnabled"],
            )
            for s in doc.get("oauth2PermissionScopes", ())
        ),
        requested_access_token_version=row.requested_access_token_version,
        required_resource_access=tuple(
            RequiredResourceAccess(
                r["resourceAppId"], tuple(ResourceAccess(a["id"], a["type"]) for a in r["resourceAccess"])
            )
            for r in doc.get("requiredResourceAccess", ())
        ),
        enable_id_token_issuance=bool(doc.get("enableIdTokenIssuance", False)),
        group_membership_claims=doc.get("groupMembershipClaims"),
    )


def _columns(app: Application) -> dict[str, Any]:
    return {
        "display_name": app.display_name,
        "sign_in_audience": app.sign_in_audience.value,
        "is_fallback_public_client": app.is_fallback_public_client,
        "requested_access_token_version": app.requested_access_token_version,
        "document": _document(app),
    }


class SqlApplications(SqlBase):
    """Implements `ApplicationRepository` and `ApplicationLookup`."""

    def add_application(self, app: Application) -> None:
        """Insert the app and index its URIs; a URI taken meanwhile raises `IdentifierUriTakenError`."""
        self._conn.execute(
            insert(applications).values(
                id=app.id,
                tenant_id=app.tenant_id,
                app_id=app.app_id,
                created_at=app.created_at,
                **_columns(app),
            )
        )
        self._index_uris(app)

    def _index_uris(self, app: Application) -> None:
        """Replace the app's rows of the URI index: one per `identifier_uri_key` (an app may list two
        spellings of one URI); the primary key refuses a key another app of the tenant holds."""
        t = application_identifier_uris
        keys = dict.fromkeys(identifier_uri_key(u) for u in app.identifier_uris)
        try:
            with self._conn.begin_nested():
                self._conn.execute(delete(t).where(t.c.tenant_id == app.tenant_id, t.c.application_id == app.id))
                if keys:
                    rows = [{"tenant_id": app.tenant_id, "uri_key": k, "application_id": app.id} for k in keys]
                    self._conn.execute(insert(t), rows)
        except IntegrityError as exc:
            raise IdentifierUriTakenError("an App ID URI of the app is already used in the tenant") from exc

    def update_application(self, app: Application) -> None:
        """Replace the app's mutable columns and document; an app of another tenant is left untouched."""
        result = self._conn.execute(
            update(applications)
            .where(applications.c.id == app.id, applications.c.tenant_id == app.tenant_id)
            .values(**_columns(app))
        )
        if result.rowcount == 1:
            self._index_uris(app)

    def find_application(self, object_id: str) -> Application | None:
        """By object id."""
        row = self._conn.execute(select(applications).where(applications.c.id == object_id)).first()
        return _application(row) if row else None

    def find_application_by_app_id(self, app_id: str) -> Application | None:
        """By appId (global)."""
        row = self._conn.execute(select(applications).where(applications.c.app_id == app_id)).first()
        return _application(row) if row else None

    def find_application_by_identifier_uri(self, tenant_id: str, uri: str) -> Application | None:
        """By App ID URI within a tenant, ignoring case and one trailing slash (`identifier_uri_key`); in the
        system tenant a run-time alias (the server's public URL naming Microsoft Graph) counts as stored."""
        alias = self._uri_aliases.get(identifier_uri_key(uri)) if tenant_id == SYSTEM_TENANT_ID else None
        if alias is not None:
            return self.find_application_by_app_id(alias)
        t = application_identifier_uris
        row = self._conn.execute(
            select(applications)
            .join(t, t.c.application_id == applications.c.id)
            .where(t.c.tenant_id == tenant_id, t.c.uri_key == identifier_uri_key(uri))
        ).first()
        return _application(row) if row else None

    def list_applications(self, tenant_id: str) -> list[Application]:
        """The tenant's apps, oldest first."""
        rows = self._conn.execute(
            select(applications).where(applications.c.tenant_id == tenant_id).order_by(applications.c.created_at)
        )
        return [_application(r) for r in rows]

    def delete_application(self, tenant_id: str, object_id: str) -> bool:
        """Delete; URIs, credentials, owners and share links go with it (foreign keys cascade)."""
        t = applications
        result = self._conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == object_id))
        return result.rowcount > 0


def _service_principal(row: Row[Any]) -> ServicePrincipal:
    return ServicePrincipal(
        row.id,
        row.tenant_id,
        row.app_id,
        row.display_name,
        as_utc(row.created_at),
        row.account_enabled,
        row.app_role_assignment_required,
        row.service_principal_type,
    )


def _assignment(r: Row[Any]) -> AppRoleAssignment:
    return AppRoleAssignment(
        r.id, r.tenant_id, r.principal_id, r.principal_type, r.resource_id, r.app_role_id, as_utc(r.created_at)
    )


class SqlServicePrincipals(SqlBase):
    """Implements `ServicePrincipalRepository` and `AssignmentRepository`."""

    def add_service_principal(self, sp: ServicePrincipal) -> None:
        """Insert."""
        self._conn.execute(
            insert(service_principals).values(
                id=sp.id,
                tenant_id=sp.tenant_id,
                app_id=sp.app_id,
                display_name=sp.display_name,
                account_enabled=sp.account_enabled,
                app_role_assignment_required=sp.app_role_assignment_required,
                created_at=sp.created_at,
                service_principal_type=sp.service_principal_type,
            )
        )

    def update_service_principal(self, sp: ServicePrincipal) -> None:
        """Update the mutable flags."""
        self._conn.execute(
            update(service_principals)
            .where(service_principals.c.id == sp.id, service_principals.c.tenant_id == sp.tenant_id)
            .values(
                account_enabled=sp.account_enabled,
                app_role_assignment_required=sp.app_role_assignment_required,
            )
        )

    def find_service_principal_by_app_id(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        """The tenant's SP for an appId."""
        row = self._conn.execute(
            select(service_principals).where(
                service_principals.c.tenant_id == tenant_id, service_principals.c.app_id == app_id
            )
        ).first()
        return _service_principal(row) if row else None

    def find_service_principal(self, tenant_id: str, sp_id: str) -> ServicePrincipal | None:
        """By object id within a tenant."""
        t = service_principals
        row = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id, t.c.id == sp_id)).first()
        return _service_principal(row) if row else None

    def list_service_principals(self, tenant_id: str) -> list[ServicePrincipal]:
        """The tenant's SPs, oldest first."""
        t = service_principals
        rows = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.created_at, t.c.id))
        return [_service_principal(r) for r in rows]

    def delete_service_principal(self, tenant_id: str, sp_id: str) -> bool:
        """Delete; assignments on it and consent grants cascade, assignments it holds are deleted here."""
        a = app_role_assignments
        self._conn.execute(delete(a).where(a.c.tenant_id == tenant_id, a.c.principal_id == sp_id))
        t = service_principals
        result = self._conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == sp_id))
        return result.rowcount > 0

    def list_assignments_for_resource(self, tenant_id: str, resource_id: str) -> list[AppRoleAssignment]:
        """Every grant on one resource SP, oldest first."""
        t = app_role_assignments
        rows = self._conn.execute(
            select(t).where(t.c.tenant_id == tenant_id, t.c.resource_id == resource_id).order_by(t.c.created_at, t.c.id)
        )
        return [_assignment(r) for r in rows]

    def add_assignment(self, assignment: AppRoleAssignment) -> None:
        """Insert, ignoring an identical grant (savepoint keeps the outer transaction usable)."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(app_role_assignments).values(
                        id=assignment.id,
                        tenant_id=assignment.tenant_id,
                        principal_id=assignment.principal_id,
                        principal_type=assignment.principal_type,
                        resource_id=assignment.resource_id,
                        app_role_id=assignment.app_role_id,
                        created_at=assignment.created_at,
                    )
                )
        except IntegrityError:
            return

    def list_assignments(self, tenant_id: str, principal_id: str, resource_id: str) -> list[AppRoleAssignment]:
        """Grants of one principal on one resource."""
        t = app_role_assignments
        rows = self._conn.execute(
            select(t).where(
                t.c.tenant_id == tenant_id, t.c.principal_id == principal_id, t.c.resource_id == resource_id
            )
        )
        return [_assignment(r) for r in rows]
