"""The vocabulary of directory rights: the actions Tenantry checks (Entra's role-permission names), what each
Graph application permission and delegated scope covers, what every member may do, and which actions are
guarded (checked only with their target, see `authorization.py`)."""

from __future__ import annotations

from enum import StrEnum

from tenantry.directory.roles import (
    APPS,
    AUDIT_LOGS,
    CA_POLICIES,
    CA_READS,
    CA_WRITES,
    CONSENT_ANY_API,
    CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES,
    DOMAINS,
    GROUPS,
    NAMED_LOCATIONS,
    ON_PREMISES_SYNC,
    ORGANIZATION,
    PRIVILEGED_APP_MANAGEMENT,
    ROLE_ASSIGNABLE_GROUPS,
    ROLE_ASSIGNMENTS,
    SP_APP_ROLE_GRANT,
    SP_MANAGEMENT,
    SPS,
    USERS,
)

ROLE_DEFINITIONS = "microsoft.directory/roleDefinitions"


class Action(StrEnum):
    """The directory actions the Graph API checks, named as Entra's role permissions name them."""

    APP_CREATE = f"{APPS}/create"
    APP_READ = f"{APPS}/allProperties/read"
    APP_UPDATE = f"{APPS}/basic/update"
    APP_CREDENTIALS = f"{APPS}/credentials/update"
    APP_OWNERS = f"{APPS}/owners/update"
    APP_DELETE = f"{APPS}/delete"
    SP_CREATE = f"{SPS}/create"
    SP_READ = f"{SPS}/allProperties/read"
    SP_UPDATE = f"{SPS}/basic/update"
    SP_DELETE = f"{SPS}/delete"
    SP_ASSIGN = SP_APP_ROLE_GRANT
    CONSENT_ANY_API = CONSENT_ANY_API
    CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES = CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES
    PRIVILEGED_APP_MANAGEMENT = PRIVILEGED_APP_MANAGEMENT
    ROLE_ASSIGNMENT_READ = f"{ROLE_ASSIGNMENTS}/allProperties/read"
    ROLE_ASSIGNMENT_WRITE = f"{ROLE_ASSIGNMENTS}/allProperties/allTasks"
    ROLE_DEFINITION_READ = f"{ROLE_DEFINITIONS}/allProperties/read"
    AUDIT_READ = f"{AUDIT_LOGS}/allProperties/read"
    ORGANIZATION_READ = f"{ORGANIZATION}/allProperties/read"
    USER_CREATE = f"{USERS}/create"
    USER_READ = f"{USERS}/allProperties/read"
    USER_UPDATE = f"{USERS}/basic/update"
    USER_DELETE = f"{USERS}/delete"
    USER_ENABLE = f"{USERS}/enable"
    USER_DISABLE = f"{USERS}/disable"
    USER_PASSWORD = f"{USERS}/password/update"
    USER_INVALIDATE_REFRESH_TOKENS = f"{USERS}/invalidateAllRefreshTokens"
    GROUP_CREATE = f"{GROUPS}/create"
    GROUP_READ = f"{GROUPS}/allProperties/read"
    GROUP_UPDATE = f"{GROUPS}/basic/update"
    GROUP_DELETE = f"{GROUPS}/delete"
    GROUP_MEMBERS = f"{GROUPS}/members/update"
    ROLE_GROUP_CREATE = f"{ROLE_ASSIGNABLE_GROUPS}/create"
    ROLE_GROUP_UPDATE = f"{ROLE_ASSIGNABLE_GROUPS}/allProperties/update"
    ROLE_GROUP_DELETE = f"{ROLE_ASSIGNABLE_GROUPS}/delete"
    DOMAIN_READ = f"{DOMAINS}/allProperties/read"
    DOMAIN_UPDATE = f"{DOMAINS}/allProperties/update"
    CA_POLICY_READ = f"{CA_POLICIES}/standard/read"
    CA_POLICY_CREATE = f"{CA_POLICIES}/create"
    CA_POLICY_UPDATE = f"{CA_POLICIES}/basic/update"
    CA_POLICY_DELETE = f"{CA_POLICIES}/delete"
    NAMED_LOCATION_READ = f"{NAMED_LOCATIONS}/standard/read"
    NAMED_LOCATION_CREATE = f"{NAMED_LOCATIONS}/create"
    NAMED_LOCATION_UPDATE = f"{NAMED_LOCATIONS}/basic/update"
    NAMED_LOCATION_DELETE = f"{NAMED_LOCATIONS}/delete"
    SEAMLESS_SSO_READ = f"{ON_PREMISES_SYNC}/standard/read"


_APP_AND_SP_READS = frozenset({Action.APP_READ, Action.SP_READ})
_DIRECTORY_READS = _APP_AND_SP_READS | {
    Action.ROLE_ASSIGNMENT_READ,
    Action.ROLE_DEFINITION_READ,
    Action.ORGANIZATION_READ,
    Action.USER_READ,
    Action.GROUP_READ,
    Action.DOMAIN_READ,
}
_USER_WRITES = frozenset(
    {
        Action.USER_CREATE,
        Action.USER_READ,
        Action.USER_UPDATE,
        Action.USER_DELETE,
        Action.USER_ENABLE,
        Action.USER_DISABLE,
        Action.USER_PASSWORD,
        Action.USER_INVALIDATE_REFRESH_TOKENS,
    }
)
_GROUP_WRITES = frozenset(
    {Action.GROUP_CREATE, Action.GROUP_READ, Action.GROUP_UPDATE, Action.GROUP_DELETE, Action.GROUP_MEMBERS}
)
# Entra: "does not allow the app to delete users or groups, or reset user passwords"; no role management.
_DIRECTORY_WRITES = _DIRECTORY_READS | {
    Action.USER_CREATE,
    Action.USER_UPDATE,
    Action.USER_ENABLE,
    Action.USER_DISABLE,
    Action.USER_INVALIDATE_REFRESH_TOKENS,
    Action.GROUP_CREATE,
    Action.GROUP_UPDATE,
    Action.GROUP_MEMBERS,
}
_PASSWORD_RESETS = frozenset({Action.USER_READ, Action.USER_PASSWORD})
_APP_MANAGEMENT = SP_MANAGEMENT | {f"{APPS}/*"}
_ROLE_READS = frozenset({Action.ROLE_ASSIGNMENT_READ, Action.ROLE_DEFINITION_READ})
_APP_ROLE_GRANTS = frozenset({Action.SP_READ, Action.SP_ASSIGN, CONSENT_ANY_API, CONSENT_EXCEPT_FIRST_PARTY_APP_ROLES})
# Who may assign directory roles may make itself Global Administrator: nothing is guarded from it.
_ROLE_WRITES = _ROLE_READS | {Action.ROLE_ASSIGNMENT_WRITE, PRIVILEGED_APP_MANAGEMENT}
GUARDED_ACTIONS = frozenset(
    {
        Action.SP_ASSIGN,
        Action.APP_CREDENTIALS,
        Action.APP_OWNERS,
        Action.USER_PASSWORD,
        Action.USER_INVALIDATE_REFRESH_TOKENS,
        Action.GROUP_CREATE,
        Action.GROUP_UPDATE,
        Action.GROUP_DELETE,
        Action.GROUP_MEMBERS,
    }
)

# Group action → Entra's action on a role-assignable group (`check_group_change`).
ROLE_ASSIGNABLE_GROUP_ACTIONS = {
    Action.GROUP_CREATE: Action.ROLE_GROUP_CREATE,
    Action.GROUP_UPDATE: Action.ROLE_GROUP_UPDATE,
    Action.GROUP_MEMBERS: Action.ROLE_GROUP_UPDATE,
    Action.GROUP_DELETE: Action.ROLE_GROUP_DELETE,
}

# Graph permissions that exist both as application permissions and as delegated scopes, and cover the same
# actions either way (a delegated caller also needs a role that allows the action).
_EITHER_WAY: dict[str, frozenset[str]] = {
    "Application.ReadWrite.All": _APP_MANAGEMENT,
    "Application.Read.All": _APP_AND_SP_READS,
    "Directory.Read.All": _DIRECTORY_READS,
    "AppRoleAssignment.ReadWrite.All": _APP_ROLE_GRANTS,
    "RoleManagement.Read.Directory": _ROLE_READS,
    "RoleManagement.ReadWrite.Directory": _ROLE_WRITES,
    "AuditLog.Read.All": frozenset({Action.AUDIT_READ}),
    "Organization.Read.All": frozenset({Action.ORGANIZATION_READ}),
    "User.Read.All": frozenset({Action.USER_READ}),
    "User.ReadWrite.All": _USER_WRITES,
    "Group.Read.All": frozenset({Action.GROUP_READ}),
    "Group.ReadWrite.All": _GROUP_WRITES,
    "Directory.ReadWrite.All": _DIRECTORY_WRITES,
    "UserAuthenticationMethod.ReadWrite.All": _PASSWORD_RESETS,
    "User-PasswordProfile.ReadWrite.All": _PASSWORD_RESETS,
    "Domain.Read.All": frozenset({Action.DOMAIN_READ}),
    "Domain.ReadWrite.All": frozenset({Action.DOMAIN_READ, Action.DOMAIN_UPDATE}),
    # Conditional access. Entra's reference asks for Policy.Read.All *and* Policy.ReadWrite.ConditionalAccess
    # to write; Tenantry lets the write permission read too (Graph lists it as a higher privilege for reads),
    # so it is enough alone. Neither reaches any other policy, role or app: a policy only asks more of sign-ins.
    "Policy.Read.All": CA_READS,
    "Policy.ReadWrite.ConditionalAccess": CA_WRITES,
}
OWNED_BY = "Application.ReadWrite.OwnedBy"

# Graph application permissions (app roles in the token's `roles`) → what they allow tenant-wide.
APPLICATION_PERMISSIONS: dict[str, frozenset[str]] = {
    **_EITHER_WAY,
    OWNED_BY: frozenset({Action.APP_CREATE}),  # + OWNER_ACTIONS on owned apps
}

# Graph delegated permissions (`scp`) → the most they let an app do on the user's behalf.
DELEGATED_SCOPES: dict[str, frozenset[str]] = {
    **_EITHER_WAY,
    "Directory.AccessAsUser.All": frozenset({"microsoft.directory/*"}),
    "User.Read": frozenset({Action.ORGANIZATION_READ}),
}

# What every member user may do without a role (Entra's default user permissions, read side: the
# organization, role definitions, all users and groups, and the tenant's domains).
DEFAULT_USER_ACTIONS = frozenset(
    {Action.ORGANIZATION_READ, Action.ROLE_DEFINITION_READ, Action.USER_READ, Action.GROUP_READ, Action.DOMAIN_READ}
)
