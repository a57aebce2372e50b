"""Built-in directory roles and what they allow (entra-reference §5.6 and Entra's role reference).

Template ids are Entra's own, so tools that assign roles by id work unchanged. Permissions use Entra's
action names (`microsoft.directory/applications/credentials/update`); a trailing `*` grants a subtree.
App owners get the owner actions on their own applications without any role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

APPS = "microsoft.directory/applications"
SPS = "microsoft.directory/servicePrincipals"
ROLE_ASSIGNMENTS = "microsoft.directory/roleAssignments"
AUDIT_LOGS = "microsoft.directory/auditLogs"
ORGANIZATION = "microsoft.directory/organization"
USERS = "microsoft.directory/users"

# What an owner may do to an application it owns (Graph: owners manage credentials and properties).
OWNER_ACTIONS = frozenset(
    {
        f"{APPS}/allProperties/read",
        f"{APPS}/basic/update",
        f"{APPS}/credentials/update",
        f"{APPS}/owners/update",
        f"{APPS}/delete",
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


_APP_MANAGEMENT = frozenset(
    {f"{APPS}/*", f"{SPS}/*", f"{AUDIT_LOGS}/allProperties/read", f"{ORGANIZATION}/allProperties/read"}
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
        "Can manage role assignments in Microsoft Entra ID.",
        frozenset({f"{ROLE_ASSIGNMENTS}/*", f"{AUDIT_LOGS}/allProperties/read"}),
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
