"""Storage interfaces for apps; `store/sql/apps.py` implements them, tenant-scoped (style P9)."""

from __future__ import annotations

from typing import Protocol

from tenantry.apps.models import Application, AppRoleAssignment, PermissionGrant, ServicePrincipal


class IdentifierUriTakenError(ValueError):
    """An App ID URI another app of the tenant already exposes, or a first-party one (see
    `apps/identifier_uris.py`). `str()` says which in Tenantry's words (the CLI); `message` is what
    Entra answers on Graph."""

    message = "Another object with the same value for property identifierUris already exists."


class ApplicationReader(Protocol):
    """Read access to app registrations."""

    def find_application_by_app_id(self, app_id: str) -> Application | None:
        """The application with this appId, in whichever tenant is its home (appIds are global)."""
        ...

    def find_application_by_identifier_uri(self, tenant_id: str, uri: str) -> Application | None:
        """The application of `tenant_id` exposing this App ID URI, compared as `identifier_uri_key` does
        (ignoring case and one trailing slash)."""
        ...

    def list_applications(self, tenant_id: str) -> list[Application]:
        """The tenant's app registrations, oldest first."""
        ...


class ApplicationRepository(ApplicationReader, Protocol):
    """Read and write access to app registrations."""

    def add_application(self, app: Application) -> None:
        """Insert an app; an App ID URI already used in the tenant (by `identifier_uri_key`) raises
        `IdentifierUriTakenError`."""
        ...

    def update_application(self, app: Application) -> None:
        """Replace the stored app with this version (same id and tenant); an App ID URI already used by
        another app of the tenant raises `IdentifierUriTakenError`."""
        ...


class ServicePrincipalReader(Protocol):
    """Read access to service principals."""

    def find_service_principal_by_app_id(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        """The tenant's instance of the app `app_id`, if it has one."""
        ...


class ServicePrincipalRepository(ServicePrincipalReader, Protocol):
    """Read and write access to service principals."""

    def add_service_principal(self, sp: ServicePrincipal) -> None:
        """Insert; at most one per app per tenant."""
        ...

    def update_service_principal(self, sp: ServicePrincipal) -> None:
        """Store the mutable flags (accountEnabled, appRoleAssignmentRequired) of this SP."""
        ...


class AssignmentReader(Protocol):
    """Read access to app role assignments."""

    def list_assignments(self, tenant_id: str, principal_id: str, resource_id: str) -> list[AppRoleAssignment]:
        """The roles `principal_id` holds on the resource SP `resource_id`."""
        ...


class AssignmentRepository(AssignmentReader, Protocol):
    """Read and write access to app role assignments."""

    def add_assignment(self, assignment: AppRoleAssignment) -> None:
        """Insert; the same (principal, resource, role) twice is a no-op."""
        ...


class ApplicationLookup(Protocol):
    """Find an application by its object id."""

    def find_application(self, object_id: str) -> Application | None:
        """The application with this object id, in any tenant."""
        ...


class PermissionGrantRepository(Protocol):
    """Delegated-permission consent records."""

    def list_permission_grants(self, tenant_id: str, client_id: str, resource_id: str) -> list[PermissionGrant]:
        """Every grant (admin and per-user) of the client SP on the resource SP."""
        ...

    def save_permission_grant(self, grant: PermissionGrant) -> None:
        """Insert, or replace the scopes of the grant with the same client, resource, type and principal."""
        ...


class OwnerRepository(Protocol):
    """Owners of app registrations: users or service principals of the app's tenant."""

    def add_owner(self, tenant_id: str, application_id: str, owner_id: str, owner_type: str) -> None:
        """Add an owner (`User` or `ServicePrincipal`); adding twice is a no-op."""
        ...

    def remove_owner(self, tenant_id: str, application_id: str, owner_id: str) -> bool:
        """Remove an owner; False when it was not one."""
        ...

    def list_owners(self, tenant_id: str, application_id: str) -> list[tuple[str, str]]:
        """(owner id, owner type) pairs of the application."""
        ...

    def list_owned_application_ids(self, tenant_id: str, owner_id: str) -> list[str]:
        """Object ids of the applications `owner_id` owns."""
        ...


class ApplicationRemover(Protocol):
    """Deleting app registrations (Graph `DELETE /applications/{id}`)."""

    def delete_application(self, tenant_id: str, object_id: str) -> bool:
        """Delete the app with its URIs, credentials and owners; False when the tenant has no such app."""
        ...


class ServicePrincipalDirectory(Protocol):
    """Service principals addressed by object id (Graph `/servicePrincipals/{id}`)."""

    def find_service_principal(self, tenant_id: str, sp_id: str) -> ServicePrincipal | None:
        """By object id within a tenant."""
        ...

    def list_service_principals(self, tenant_id: str) -> list[ServicePrincipal]:
        """The tenant's service principals, oldest first."""
        ...

    def delete_service_principal(self, tenant_id: str, sp_id: str) -> bool:
        """Delete it with the app role assignments and consent grants made on it or held by it."""
        ...


class AssignmentDirectory(Protocol):
    """App role assignments listed by resource (Graph `appRoleAssignedTo`)."""

    def list_assignments_for_resource(self, tenant_id: str, resource_id: str) -> list[AppRoleAssignment]:
        """Every grant on the resource SP `resource_id`, oldest first."""
        ...
