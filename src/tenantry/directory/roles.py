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
GROUPS = "microsoft.directory/groups"
# Entra's actions on role-assignable groups (Global and Privileged Role Administrators hold them).
ROLE_ASSIGNABLE_GROUPS = "microsoft.directory/groupsAssignableToRoles"
DOMAINS = "microsoft.directory/domains"
CA_POLICIES = "microsoft.directory/conditionalAccessPolicies"
NAMED_LOCATIONS = "microsoft.directory/namedLocations"
# Entra Connect's settings, seamless SSO's realms among them (Hybrid Identity Administrator's area).
ON_PREMISES_SYNC = "microsoft.directory/onPremisesSynchronization"

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
        f"{ROLE_ASSIGNABLE_GROUPS}/create",
        f"{ROLE_ASSIGNABLE_GROUPS}/delete",
        f"{ROLE_ASSIGNABLE_GROUPS}/allProperties/update",
    }
)

_USER_AND_GROUP_READS = frozenset({f"{USERS}/allProperties/read", f"{GROUPS}/allProperties/read"})
# Resetting a password and signing the user out everywhere: what every role of the reset table holds
# (which targets each may reach is `password_reset.py`'s table, not these actions).
_PASSWORD_RESET = frozenset({f"{USERS}/password/update", f"{USERS}/invalidateAllRefreshTokens"})
_AUTHENTICATION_ADMIN = (
    _USER_AND_GROUP_READS | _PASSWORD_RESET | {f"{USERS}/enable", f"{USERS}/disable", f"{USERS}/delete"}
)
_GROUP_MANAGEMENT = frozenset(
    {
        f"{GROUPS}/create",
        f"{GROUPS}/delete",
        f"{GROUPS}/basic/update",
        f"{GROUPS}/members/update",
        f"{GROUPS}/allProperties/read",
    }
)
_USER_MANAGEMENT = (
    _USER_AND_GROUP_READS
    | _PASSWORD_RESET
    | _GROUP_MANAGEMENT
    | {
        f"{USERS}/create",
        f"{USERS}/delete",
        f"{USERS}/basic/update",
        f"{USERS}/enable",
        f"{USERS}/disable",
    }
)
_DIRECTORY_READERS = _USER_AND_GROUP_READS | {
    f"{DOMAINS}/allProperties/read",
    f"{APPS}/allProperties/read",
    f"{SPS}/allProperties/read",
    f"{ORGANIZATION}/allProperties/read",
    f"{ROLE_ASSIGNMENTS}/allProperties/read",
}
# Conditional access, as Entra's Conditional Access Administrator, Security Administrator (write) and Security
# Reader, Global Reader (read) hold it.
CA_READS = frozenset(
    {
        f"{CA_POLICIES}/standard/read",
        f"{CA_POLICIES}/owners/read",
        f"{CA_POLICIES}/policyAppliedTo/read",
        f"{NAMED_LOCATIONS}/standard/read",
    }
)
CA_WRITES = CA_READS | {
    f"{CA_POLICIES}/create",
    f"{CA_POLICIES}/delete",
    f"{CA_POLICIES}/basic/update",
    f"{CA_POLICIES}/owners/update",
    f"{CA_POLICIES}/tenantDefault/update",
    f"{NAMED_LOCATIONS}/create",
    f"{NAMED_LOCATIONS}/delete",
    f"{NAMED_LOCATIONS}/basic/update",
}
_SECURITY_READS = _USER_AND_GROUP_READS | {f"{AUDIT_LOGS}/allProperties/read", f"{ORGANIZATION}/allProperties/read"}
_NONE: frozenset[str] = frozenset()


def _role(
    template_id: str, name: str, description: str, permissions: frozenset[str], *, privileged: bool = False
) -> RoleDefinition:
    return RoleDefinition(template_id, name, description, permissions, is_privileged=privileged)


# Catalogue order: the first five as before (existing data and messages rely on it), then alphabetical.
# `is_privileged` is Entra's PRIVILEGED label; permissions are Entra's actions for what Tenantry checks.
BUILT_IN_ROLES: tuple[RoleDefinition, ...] = (
    _role(
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
        "Can manage all aspects of the directory.",
        frozenset({"microsoft.directory/*"}),
        privileged=True,
    ),
    _role(
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps.",
        _APP_MANAGEMENT,
        privileged=True,
    ),
    _role(
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        _APP_MANAGEMENT,
        privileged=True,
    ),
    _role(
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        _ROLE_MANAGEMENT,
        privileged=True,
    ),
    _role(
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "Global Reader",
        "Can read everything that a Global Administrator can, but not update anything.",
        _USER_AND_GROUP_READS
        | {
            f"{APPS}/allProperties/read",
            f"{SPS}/allProperties/read",
            f"{AUDIT_LOGS}/allProperties/read",
            f"{ORGANIZATION}/allProperties/read",
            f"{ROLE_ASSIGNMENTS}/allProperties/read",
            f"{DOMAINS}/allProperties/read",
            f"{ON_PREMISES_SYNC}/standard/read",
        }
        | CA_READS,
        privileged=True,
    ),
    _role(
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
        "Can access to view, set and reset authentication method information for any non-admin user.",
        _AUTHENTICATION_ADMIN,
        privileged=True,
    ),
    _role(
        "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        "Authentication Policy Administrator",
        "Can create and manage the authentication methods policy, tenant-wide MFA settings, password "
        "protection policy, and verifiable credentials.",
        frozenset({f"{ORGANIZATION}/allProperties/read"}),
    ),
    _role(
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
        "Can perform common billing related tasks like updating payment information.",
        frozenset({f"{ORGANIZATION}/allProperties/read"}),
    ),
    _role(
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
        "Can manage Conditional Access capabilities.",
        CA_WRITES | {f"{ORGANIZATION}/allProperties/read"},
        privileged=True,
    ),
    _role(
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        "Directory Readers",
        "Can read basic directory information. Commonly used to grant directory read access to applications "
        "and guests.",
        _DIRECTORY_READERS,
    ),
    _role(
        "9360feb5-f418-4baa-8175-e2a00bac4301",
        "Directory Writers",
        "Can read and write basic directory information. For granting access to applications, not intended for users.",
        _DIRECTORY_READERS
        | {
            f"{GROUPS}/create",
            f"{GROUPS}/basic/update",
            f"{GROUPS}/members/update",
            f"{USERS}/basic/update",
        },
        privileged=True,
    ),
    _role(
        "8329153b-31d0-4727-b945-745eb3bc5f31",
        "Domain Name Administrator",
        "Can manage domain names in cloud and on-premises.",
        frozenset({f"{DOMAINS}/*", f"{ORGANIZATION}/allProperties/read"}),
        privileged=True,
    ),
    _role(
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
        "Can manage all aspects of the Exchange product.",
        _NONE,
    ),
    _role(
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "Groups Administrator",
        "Members of this role can create/manage groups, create/manage groups settings like naming and "
        "expiration policies, and view groups activity and audit reports.",
        _GROUP_MANAGEMENT,
    ),
    _role(
        "95e79109-95c0-4d8e-aee3-d01accf2d47b",
        "Guest Inviter",
        "Can invite guest users independent of the 'members can invite guests' setting.",
        frozenset({f"{USERS}/inviteGuest"}),
    ),
    _role(
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
        "Can reset passwords for non-administrators and Helpdesk Administrators.",
        _USER_AND_GROUP_READS | _PASSWORD_RESET,
        privileged=True,
    ),
    _role(
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
        "Can manage Active Directory to Microsoft Entra cloud provisioning, Microsoft Entra Connect, "
        "pass-through authentication, password hash synchronization, seamless single sign-on and federation "
        "settings.",
        frozenset({f"{ORGANIZATION}/allProperties/read", f"{ON_PREMISES_SYNC}/standard/read"}),
        privileged=True,
    ),
    _role(
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
        "Can manage all aspects of the Intune product.",
        _NONE,
        privileged=True,
    ),
    _role(
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
        "Can manage product licenses on users and groups.",
        _NONE,
    ),
    _role(
        "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
        "Message Center Reader",
        "Can read messages and updates for their organization in Message Center only.",
        _NONE,
    ),
    _role(
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
        "Can reset passwords for non-administrators and Password Administrators.",
        _PASSWORD_RESET,
        privileged=True,
    ),
    _role(
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
        "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
        _AUTHENTICATION_ADMIN,
        privileged=True,
    ),
    _role(
        "4a5d8f65-41da-4de4-8968-e035b65339cf",
        "Reports Reader",
        "Can read sign-in and audit reports.",
        frozenset({f"{AUDIT_LOGS}/allProperties/read"}),
    ),
    _role(
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
        "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        _SECURITY_READS | CA_WRITES,
        privileged=True,
    ),
    _role(
        "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
        "Security Operator",
        "Creates and manages security events.",
        _SECURITY_READS,
        privileged=True,
    ),
    _role(
        "5d6b6bb7-de71-4623-b4af-96380a352509",
        "Security Reader",
        "Can read security information and reports in Microsoft Entra ID and Office 365.",
        _SECURITY_READS | CA_READS,
        privileged=True,
    ),
    _role(
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
        "Can manage all aspects of the SharePoint service.",
        _NONE,
    ),
    _role(
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
        "Can manage the Microsoft Teams service.",
        _NONE,
    ),
    _role(
        "75934031-6c7e-415a-99d7-48dbd49e875e",
        "Usage Summary Reports Reader",
        "Read Usage reports and Adoption Score, but can't access user details.",
        _NONE,
    ),
    _role(
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "User Administrator",
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        _USER_MANAGEMENT,
        privileged=True,
    ),
    _role(
        "27460883-1df1-4691-b032-3b79643e5e63",
        "User Experience Success Manager",
        "Can see only tenant level aggregates in Microsoft 365 Usage Analytics and Productivity Score.",
        _NONE,
    ),
)
# `wids` of every member user (Entra's "User" role template as tokens carry it); guests would carry
# 10dae51f-b6af-4016-8d66-8c2a99b929b3 instead (Tenantry has no guests yet).
MEMBER_USER_TEMPLATE_ID = "b79fbf4d-3ef9-4689-8143-76b194e85509"


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
