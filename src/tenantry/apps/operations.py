"""App-management operations on owners and service principals; `AppService` inherits them.

Each write is one transaction and appends its audit record in it (style P14). Without an `AuditContext`
the change is recorded as made by the system (the CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from tenantry.apps.changes import AppError
from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal, SignInAudience
from tenantry.apps.privilege import holds_privileged_access, is_first_party
from tenantry.apps.repository import (
    ApplicationLookup,
    ApplicationRemover,
    ApplicationRepository,
    AssignmentDirectory,
    AssignmentRepository,
    OwnerRepository,
    PermissionGrantRepository,
    ServicePrincipalDirectory,
    ServicePrincipalRepository,
)
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.principals import DirectoryPrincipal, find_principal
from tenantry.directory.repository import GroupRepository, RoleAssignmentRepository, TenantRepository, UserRepository

DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
OWNER_TYPES = ("User", "ServicePrincipal")


class AppsUnit(
    TenantRepository,
    ApplicationRepository,
    ApplicationLookup,
    ApplicationRemover,
    ServicePrincipalRepository,
    ServicePrincipalDirectory,
    AssignmentRepository,
    AssignmentDirectory,
    PermissionGrantRepository,
    OwnerRepository,
    UserRepository,
    GroupRepository,
    RoleAssignmentRepository,
    AuditRepository,
    Protocol,
):
    """The repositories one app-management transaction needs."""


class NotFoundError(LookupError):
    """The object named in a request does not exist in the tenant (Graph `Request_ResourceNotFound`)."""


class ConflictError(AppError):
    """The object already exists (Graph `Request_MultipleObjectsWithSameKeyValue`, 409)."""


def app_target(app: Application, modified: tuple[tuple[str, str, str], ...] = ()) -> Target:
    """The audit target naming an application."""
    return Target("Application", app.id, app.display_name, modified)


def sp_target(sp: ServicePrincipal, modified: tuple[tuple[str, str, str], ...] = ()) -> Target:
    """The audit target naming a service principal."""
    return Target("ServicePrincipal", sp.id, sp.display_name, modified)


def principal_target(principal: DirectoryPrincipal) -> Target:
    """The audit target naming a user, group or service principal."""
    return Target(principal.type, principal.id, principal.user_principal_name or principal.display_name)


def remove_service_principal(unit: AppsUnit, sp: ServicePrincipal) -> None:
    """Delete an SP and what only it gave meaning to: its directory roles and its app ownerships."""
    for assignment in unit.list_role_assignments(sp.tenant_id, sp.id):
        unit.remove_role_assignment(sp.tenant_id, assignment.id)
    for application_id in unit.list_owned_application_ids(sp.tenant_id, sp.id):
        unit.remove_owner(sp.tenant_id, application_id, sp.id)
    unit.delete_service_principal(sp.tenant_id, sp.id)


class OperationsBase:
    """Shared state of the app-management services."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[AppsUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def _context(self, ctx: AuditContext | None) -> AuditContext:
        return ctx or AuditContext(SYSTEM, self._clock.now())


class OwnerOperations(OperationsBase):
    """Graph `applications/{id}/owners`: users and service principals that may manage one app."""

    def list_owners(self, app: Application) -> list[DirectoryPrincipal]:
        """The app's owners that still exist, in a stable order."""
        with self._transaction() as unit:
            found = (
                find_principal(unit, app.tenant_id, owner_id) for owner_id, _ in unit.list_owners(app.tenant_id, app.id)
            )
            return [p for p in found if p is not None]

    def add_owner(self, app: Application, owner_id: str, *, ctx: AuditContext | None = None) -> DirectoryPrincipal:
        """Make a user or service principal of the app's tenant an owner; twice is a 400, as on Graph."""
        if is_first_party(app):
            raise AppError(f"'{app.display_name}' is a first-party application; it cannot have owners.")
        ctx = self._context(ctx)
        with self._transaction() as unit:
            principal = find_principal(unit, app.tenant_id, owner_id.lower())
            if principal is None or principal.type not in OWNER_TYPES:
                raise NotFoundError(
                    f"Resource '{owner_id}' does not exist or one of its queried reference-property "
                    "objects are not present."
                )
            if any(o == principal.id for o, _ in unit.list_owners(app.tenant_id, app.id)):
                raise AppError(
                    "One or more added object references already exist for the following modified properties: 'owners'."
                )
            unit.add_owner(app.tenant_id, app.id, principal.id, principal.type)
            targets = (app_target(app), principal_target(principal))
            record(unit, ctx, app.tenant_id, AuditActivity.ADD_OWNER, targets, "Assign")
        return principal

    def remove_owner(self, app: Application, owner_id: str, *, ctx: AuditContext | None = None) -> None:
        """Remove an owner; one that is not an owner is a 404."""
        ctx = self._context(ctx)
        with self._transaction() as unit:
            principal = find_principal(unit, app.tenant_id, owner_id.lower())
            if principal is None or not unit.remove_owner(app.tenant_id, app.id, principal.id):
                raise NotFoundError(f"'{owner_id}' is not an owner of the application.")
            targets = (app_target(app), principal_target(principal))
            record(unit, ctx, app.tenant_id, AuditActivity.REMOVE_OWNER, targets, "Unassign")


class ServicePrincipalOperations(OperationsBase):
    """Graph `servicePrincipals`: an app's instance in a tenant, and the app roles granted on it."""

    def is_first_party_service_principal(self, sp: ServicePrincipal) -> bool:
        """Whether `sp` is the instance of a first-party app (Microsoft Graph, …) in its tenant."""
        with self._transaction() as unit:
            return is_first_party(unit.find_application_by_app_id(sp.app_id))

    def holds_privileged_access(self, app: Application) -> bool:
        """Whether the app's service principal in its own tenant holds privileged access (`apps/privilege.py`):
        changing its credentials or owners then needs that access too."""
        with self._transaction() as unit:
            return holds_privileged_access(unit, app.tenant_id, app)

    def list_service_principals(self, tenant_id: str) -> list[ServicePrincipal]:
        """The tenant's service principals (Microsoft Graph's included)."""
        with self._transaction() as unit:
            return unit.list_service_principals(tenant_id)

    def find_service_principal(self, tenant_id: str, sp_id: str) -> ServicePrincipal | None:
        """By object id within the tenant."""
        with self._transaction() as unit:
            return unit.find_service_principal(tenant_id, sp_id.lower())

    def create_service_principal(
        self, tenant_id: str, app_id: str, *, ctx: AuditContext | None = None
    ) -> ServicePrincipal:
        """Instantiate an app in `tenant_id`: its own, or a multi-tenant app of another tenant."""
        ctx = self._context(ctx)
        with self._transaction() as unit:
            app = unit.find_application_by_app_id(app_id.lower())
            if app is None or (app.tenant_id != tenant_id and app.sign_in_audience is SignInAudience.MY_ORG):
                raise NotFoundError(f"No application with appId '{app_id}' is available to this tenant.")
            if unit.find_service_principal_by_app_id(tenant_id, app.app_id) is not None:
                raise ConflictError("Another object with the same value for property appId already exists.")
            sp = ServicePrincipal(new_guid(), tenant_id, app.app_id, app.display_name, ctx.now)
            unit.add_service_principal(sp)
            record(unit, ctx, tenant_id, AuditActivity.ADD_SERVICE_PRINCIPAL, (sp_target(sp),), "Add")
        return sp

    def change_service_principal(
        self,
        sp: ServicePrincipal,
        *,
        enabled: bool | None = None,
        assignment_required: bool | None = None,
        ctx: AuditContext | None = None,
    ) -> ServicePrincipal:
        """Set `accountEnabled` / `appRoleAssignmentRequired` (None leaves one as it is); a first-party
        service principal cannot be disabled (every token for its API needs it)."""
        if enabled is False and self.is_first_party_service_principal(sp):
            raise AppError(f"The service principal of '{sp.display_name}' is first-party; it cannot be disabled.")
        ctx = self._context(ctx)
        updated = replace(
            sp,
            account_enabled=sp.account_enabled if enabled is None else enabled,
            app_role_assignment_required=(
                sp.app_role_assignment_required if assignment_required is None else assignment_required
            ),
        )
        modified = tuple(
            (name, str(old).lower(), str(new).lower())
            for name, old, new in (
                ("accountEnabled", sp.account_enabled, updated.account_enabled),
                ("appRoleAssignmentRequired", sp.app_role_assignment_required, updated.app_role_assignment_required),
            )
            if old != new
        )
        with self._transaction() as unit:
            unit.update_service_principal(updated)
            targets = (sp_target(updated, modified),)
            record(unit, ctx, sp.tenant_id, AuditActivity.UPDATE_SERVICE_PRINCIPAL, targets, "Update")
        return updated

    def delete_service_principal(self, sp: ServicePrincipal, *, ctx: AuditContext | None = None) -> None:
        """Remove an app's instance from the tenant (not a first-party one's: every token for its API needs it)."""
        if self.is_first_party_service_principal(sp):
            raise AppError(f"The service principal of '{sp.display_name}' is first-party; it cannot be deleted.")
        ctx = self._context(ctx)
        with self._transaction() as unit:
            remove_service_principal(unit, sp)
            record(unit, ctx, sp.tenant_id, AuditActivity.DELETE_SERVICE_PRINCIPAL, (sp_target(sp),), "Delete")

    def list_assigned_to(self, sp: ServicePrincipal) -> list[AppRoleAssignment]:
        """Every app role granted on this resource SP (Graph `appRoleAssignedTo`)."""
        with self._transaction() as unit:
            return unit.list_assignments_for_resource(sp.tenant_id, sp.id)

    def assign_app_role(
        self, sp: ServicePrincipal, principal_id: str, app_role_id: str, *, ctx: AuditContext | None = None
    ) -> AppRoleAssignment:
        """Grant one app role of `sp`'s app to a user, group or service principal of the tenant.

        Roles for apps need `Application` among their allowed member types, for users and groups `User`;
        the empty GUID is default access for users and groups. Granting twice is a 400, as on Graph.
        """
        ctx = self._context(ctx)
        with self._transaction() as unit:
            principal = find_principal(unit, sp.tenant_id, principal_id.lower())
            if principal is None:
                raise NotFoundError(
                    f"Resource '{principal_id}' does not exist or one of its queried "
                    "reference-property objects are not present."
                )
            self._check_role(unit.find_application_by_app_id(sp.app_id), principal, app_role_id.lower())
            held = unit.list_assignments(sp.tenant_id, principal.id, sp.id)
            if any(a.app_role_id == app_role_id.lower() for a in held):
                raise AppError("Permission being assigned already exists on the object")
            assignment = AppRoleAssignment(
                new_guid(), sp.tenant_id, principal.id, principal.type, sp.id, app_role_id.lower(), ctx.now
            )
            unit.add_assignment(assignment)
            targets = (sp_target(sp), principal_target(principal))
            record(unit, ctx, sp.tenant_id, AuditActivity.ADD_APP_ROLE_ASSIGNMENT, targets, "Assign")
        return assignment

    @staticmethod
    def _check_role(app: Application | None, principal: DirectoryPrincipal, role_id: str) -> None:
        member_type = "Application" if principal.type == "ServicePrincipal" else "User"
        if role_id == DEFAULT_ACCESS_ROLE_ID and member_type == "User":
            return
        role = app.find_app_role(role_id) if app is not None else None
        if role is None or member_type not in role.allowed_member_types:
            raise AppError(
                f"Permission '{role_id}' does not exist on the resource or cannot be granted to a {principal.type}."
            )
