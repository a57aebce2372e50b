"""Built-in directory roles and what they allow (entra-reference §5.6 and Entra's role reference).

Template ids are Entra's own, so tools that assign roles by id work unchanged. Permissions use Entra's
action names (`microsoft.directory/applications/credentials/update`); a trailing `*` grants a subtree.
App owners get the owner actions on their own applications without any role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

APPS = "microsoft.directory/applications"
SPS = "microsoft.directory/servicePrincipals"
ROLE_ASSIGNMENTS = "microsoft.directory/roleAssignments"
AUDIT_LOGS = "microsoft.directory/auditLogs"
ORGANIZATION = "microsoft.directory/organization"
USERS = "microsoft.directory/users"

# Granting any permission of any API, Microsoft Graph's application permissions included (Entra's action of
# Global and Privileged Role Administrators; the `AppRoleAssignment.ReadWrite.All` application permission).
CONSENT_ANY_API = f"{SPS}/managePermissionGrantsForAll.microsoft-company-admin"
# Granting delegated permissions of any API and application permissions of every API but first-party ones
# (Entra's action of Application and Cloud Application Administrators).
CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES = f"{SPS}/managePermissionGrantsForAll.microsoft-application-admin"
# Tenantry's own guard, outside the `applications/*` subtree: changing the credentials or owners of an app
# whose service principal holds privileged access (a privileged directory role, or a first-party app role
# that reaches Global Administrator). Whoever could hand themselves that access anyway holds it; app
# administrators do not, so adding a secret to such an app is not a way up (see `apps/privilege.py`).
PRIVILEGED_APP_MANAGEMENT = "microsoft.directory/applications.privileged/allTasks"
SP_APP_ROLE_GRANT = f"{SPS}/appRoleAssignedTo/update"

# What an owner may do to an application it owns (Graph: owners manage credentials and properties), and to
# the app roles of the API it owns (granting them on the app's service principal).
OWNER_ACTIONS = frozenset(
    {
        f"{APPS}/allProperties/read",
        f"{APPS}/basic/update",
        f"{APPS}/credentials/update",
        f"{APPS}/owners/update",
        f"{APPS}/delete",
        SP_APP_ROLE_GRANT,
    }
)


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    """A built-in role (Graph `unifiedRoleDefinition`)."""

    id: str
    display_name: str
    description: str
    permissions: frozenset[str]
    is_privileged: bool = False

    def allows(self, action: str) -> bool:
        """Whether the role grants `action` (exactly, or through a `…/*` prefix)."""
        return any(p == action or (p.endswith("*") and action.startswith(p[:-1])) for p in self.permissions)


# Service-principal actions spelled out, not `servicePrincipals/*`: a wildcard would also cover
# `CONSENT_ANY_API`, which application administrators must not hold.
SP_MANAGEMENT = frozenset(
    {
        f"{SPS}/create",
        f"{SPS}/allProperties/read",
        f"{SPS}/basic/update",
        f"{SPS}/delete",
        SP_APP_ROLE_GRANT,
        CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES,
    }
)
_APP_MANAGEMENT = SP_MANAGEMENT | {
    f"{APPS}/*",
    f"{AUDIT_LOGS}/allProperties/read",
    f"{ORGANIZATION}/allProperties/read",
}
_ROLE_MANAGEMENT = frozenset(
    {
        f"{ROLE_ASSIGNMENTS}/*",
        f"{AUDIT_LOGS}/allProperties/read",
        f"{SPS}/allProperties/read",
        SP_APP_ROLE_GRANT,
        CONSENT_ANY_API,
        CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES,
        PRIVILEGED_APP_MANAGEMENT,
    }
)

BUILT_IN_ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition(
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
        "Can manage all aspects of the directory.",
        frozenset({"microsoft.directory/*"}),
        is_privileged=True,
    ),
    RoleDefinition(
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps.",
        _APP_MANAGEMENT,
        is_privileged=True,
    ),
    RoleDefinition(
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        _APP_MANAGEMENT,
        is_privileged=True,
    ),
    RoleDefinition(
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        _ROLE_MANAGEMENT,
        is_privileged=True,
    ),
    RoleDefinition(
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "Global Reader",
        "Can read everything that a Global Administrator can, but not update anything.",
        frozenset(
            {
                f"{APPS}/allProperties/read",
                f"{SPS}/allProperties/read",
                f"{AUDIT_LOGS}/allProperties/read",
                f"{ORGANIZATION}/allProperties/read",
                f"{ROLE_ASSIGNMENTS}/allProperties/read",
            }
        ),
    ),
)


def find_role(reference: str) -> RoleDefinition | None:
    """A built-in role by template id or display name (case-insensitive)."""
    wanted = reference.strip().lower()
    return next((r for r in BUILT_IN_ROLES if wanted in (r.id, r.display_name.lower())), None)


def roles_of(assignments: Iterable[RoleAssignment]) -> tuple[RoleDefinition, ...]:
    """The built-in roles a principal's assignments give it, in catalogue order."""
    wanted = {a.role_definition_id for a in assignments}
    return tuple(r for r in BUILT_IN_ROLES if r.id in wanted)


def roles_allowing(action: str) -> list[RoleDefinition]:
    """The roles that grant `action`, for "needs one of these roles" messages."""
    return [r for r in BUILT_IN_ROLES if r.allows(action)]


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """A role granted to a principal across the tenant (Graph `unifiedRoleAssignment`, scope "/")."""

    id: str
    tenant_id: str
    principal_id: str
    role_definition_id: str
    created_at: datetime
    directory_scope_id: str = "/"
