"""Application and service-principal records with Microsoft Graph's names and meanings.

An application object lives in its home tenant; a service principal is its instance in one tenant
(shared/docs/entra-reference.md §4). Tokens are issued to and for service principals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SignInAudience(StrEnum):
    """Who may sign in to an app (Graph `signInAudience`)."""

    MY_ORG = "AzureADMyOrg"
    MULTIPLE_ORGS = "AzureADMultipleOrgs"
    ORGS_AND_PERSONAL = "AzureADandPersonalMicrosoftAccount"
    PERSONAL = "PersonalMicrosoftAccount"


@dataclass(frozen=True, slots=True)
class AppRole:
    """A role an app exposes; `value` is what lands in the `roles` claim."""

    id: str
    value: str
    display_name: str
    description: str = ""
    allowed_member_types: tuple[str, ...] = ("Application",)
    is_enabled: bool = True


@dataclass(frozen=True, slots=True)
class PermissionScope:
    """A delegated permission an API exposes (Graph `permissionScope`); `value` lands in `scp`."""

    id: str
    value: str
    type: str = "User"
    admin_consent_display_name: str = ""
    admin_consent_description: str = ""
    user_consent_display_name: str = ""
    user_consent_description: str = ""
    is_enabled: bool = True


@dataclass(frozen=True, slots=True)
class ResourceAccess:
    """One permission an app asks for: an app role (`Role`) or a delegated scope (`Scope`) by id."""

    id: str
    type: str


@dataclass(frozen=True, slots=True)
class RequiredResourceAccess:
    """The permissions an app asks for on one resource app."""

    resource_app_id: str
    resource_access: tuple[ResourceAccess, ...]


@dataclass(frozen=True, slots=True)
class Application:
    """An app registration (Graph `application`)."""

    id: str
    tenant_id: str
    app_id: str
    display_name: str
    created_at: datetime
    sign_in_audience: SignInAudience = SignInAudience.MY_ORG
    identifier_uris: tuple[str, ...] = ()
    web_redirect_uris: tuple[str, ...] = ()
    spa_redirect_uris: tuple[str, ...] = ()
    public_client_redirect_uris: tuple[str, ...] = ()
    is_fallback_public_client: bool = False
    app_roles: tuple[AppRole, ...] = ()
    oauth2_permission_scopes: tuple[PermissionScope, ...] = ()
    requested_access_token_version: int | None = None
    required_resource_access: tuple[RequiredResourceAccess, ...] = ()
    # Graph `web.implicitGrantSettings.enableIdTokenIssuance`: /authorize may return an id_token.
    enable_id_token_issuance: bool = False
    # Graph `groupMembershipClaims`: which groups tokens for this app name (None, SecurityGroup, All,
    # ApplicationGroup, DirectoryRole); None means none.
    group_membership_claims: str | None = None

    @property
    def is_public_client(self) -> bool:
        """Entra treats an app as public when "Allow public client flows" (isFallbackPublicClient) is on."""
        return self.is_fallback_public_client

    @property
    def access_token_version(self) -> int:
        """Version of access tokens issued *for* this app as a resource: v1 unless it asked for 2."""
        return 2 if self.requested_access_token_version == 2 else 1

    def find_app_role(self, role_id: str) -> AppRole | None:
        """The enabled app role with this id."""
        return next((r for r in self.app_roles if r.id == role_id and r.is_enabled), None)


@dataclass(frozen=True, slots=True)
class ServicePrincipal:
    """An app's instance in one tenant (Graph `servicePrincipal`)."""

    id: str
    tenant_id: str
    app_id: str
    display_name: str
    created_at: datetime
    account_enabled: bool = True
    app_role_assignment_required: bool = False
    # Graph `servicePrincipalType`: `Application`, or `ManagedIdentity` (which has no application object).
    service_principal_type: str = "Application"


@dataclass(frozen=True, slots=True)
class AppRoleAssignment:
    """A grant of one app role of a resource SP to a principal (Graph `appRoleAssignment`)."""

    id: str
    tenant_id: str
    principal_id: str
    principal_type: str
    resource_id: str
    app_role_id: str
    created_at: datetime = field(compare=False)


@dataclass(frozen=True, slots=True)
class PermissionGrant:
    """Consent to delegated scopes (Graph `oAuth2PermissionGrant`).

    `consent_type` is `AllPrincipals` (admin consent for every user) or `Principal` (one user's own
    consent, `principal_id` set). `scopes` are the consented scope values on the resource.
    """

    id: str
    tenant_id: str
    client_id: str
    resource_id: str
    consent_type: str
    principal_id: str | None
    scopes: tuple[str, ...]
    created_at: datetime = field(compare=False)
