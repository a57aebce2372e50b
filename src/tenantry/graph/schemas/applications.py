"""Graph `application`, `passwordCredential` and `keyCredential` (entra-reference §4.1–4.2), with Tenantry's
computed credential status as the extra property `tenantryStatus` ("valid", "expiring in 7 days", "expired")."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import Field

from tenantry.apps.models import Application, AppRole, PermissionScope, RequiredResourceAccess
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.credentials.status import credential_status
from tenantry.graph.schemas.common import GraphDateTime, GraphModel

NO_CREDENTIALS = "no credentials"
STATUS_DESCRIPTION = "Tenantry's computed status: valid, expiring in N days, expired (or not yet valid)."


class PasswordCredentialResource(GraphModel):
    """A client secret's metadata; `secretText` is set only in the `addPassword` answer."""

    custom_key_identifier: str | None = None
    display_name: str | None = None
    end_date_time: GraphDateTime | None = None
    hint: str | None = None
    key_id: str | None = None
    secret_text: str | None = None
    start_date_time: GraphDateTime | None = None
    tenantry_status: str | None = Field(None, description=STATUS_DESCRIPTION)


class ShareLinkResource(PasswordCredentialResource):
    """`tenantry.addPasswordShareLink`: the new secret's metadata and the one-time link that reveals it."""

    tenantry_share_link: str | None = None
    tenantry_share_link_expires_date_time: GraphDateTime | None = None


class KeyCredentialResource(GraphModel):
    """A certificate; `key` (base64 DER) is returned only when one application is read with `$select=keyCredentials`."""

    custom_key_identifier: str | None = None
    display_name: str | None = None
    end_date_time: GraphDateTime | None = None
    key: str | None = None
    key_id: str | None = None
    start_date_time: GraphDateTime | None = None
    type: str | None = None
    usage: str | None = None
    tenantry_status: str | None = Field(None, description=STATUS_DESCRIPTION)


class AppRoleResource(GraphModel):
    """An app role the application exposes."""

    allowed_member_types: list[str] = Field(default_factory=list)
    description: str | None = None
    display_name: str | None = None
    id: str
    is_enabled: bool = True
    origin: str = "Application"
    value: str | None = None


class PermissionScopeResource(GraphModel):
    """A delegated permission the application exposes."""

    admin_consent_description: str | None = None
    admin_consent_display_name: str | None = None
    id: str
    is_enabled: bool = True
    type: str | None = None
    user_consent_description: str | None = None
    user_consent_display_name: str | None = None
    value: str | None = None


class ApiResource(GraphModel):
    """`api`: what the application exposes as a resource."""

    accept_mapped_claims: bool | None = None
    known_client_applications: list[str] = Field(default_factory=list)
    oauth2_permission_scopes: list[PermissionScopeResource] = Field(default_factory=list)
    pre_authorized_applications: list[dict[str, str | list[str]]] = Field(default_factory=list)
    requested_access_token_version: int | None = None


class ResourceAccessResource(GraphModel):
    """One requested permission: an app role (`Role`) or a delegated scope (`Scope`)."""

    id: str
    type: str


class RequiredResourceAccessResource(GraphModel):
    """The permissions requested on one resource application."""

    resource_app_id: str
    resource_access: list[ResourceAccessResource] = Field(default_factory=list)


class ImplicitGrantSettings(GraphModel):
    """`web.implicitGrantSettings`."""

    enable_access_token_issuance: bool = False
    enable_id_token_issuance: bool = False


class WebResource(GraphModel):
    """`web`: redirect URIs of a web app."""

    home_page_url: str | None = None
    implicit_grant_settings: ImplicitGrantSettings = Field(default_factory=ImplicitGrantSettings)
    logout_url: str | None = None
    redirect_uris: list[str] = Field(default_factory=list)


class RedirectsResource(GraphModel):
    """`spa` / `publicClient`: redirect URIs of that platform."""

    redirect_uris: list[str] = Field(default_factory=list)


class ApplicationResource(GraphModel):
    """Graph `application`."""

    id: str | None = None
    app_id: str | None = None
    display_name: str | None = None
    created_date_time: GraphDateTime | None = None
    deleted_date_time: GraphDateTime | None = None
    sign_in_audience: str | None = None
    identifier_uris: list[str] = Field(default_factory=list)
    publisher_domain: str | None = None
    is_fallback_public_client: bool | None = None
    api: ApiResource | None = None
    app_roles: list[AppRoleResource] = Field(default_factory=list)
    required_resource_access: list[RequiredResourceAccessResource] = Field(default_factory=list)
    web: WebResource | None = None
    spa: RedirectsResource | None = None
    public_client: RedirectsResource | None = None
    key_credentials: list[KeyCredentialResource] = Field(default_factory=list)
    password_credentials: list[PasswordCredentialResource] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    notes: str | None = None
    group_membership_claims: str | None = None
    tenantry_status: str | None = Field(
        None, description="The status of the application's longest-lived credential, or 'no credentials'."
    )


def password_view(
    secret: PasswordCredential, now: datetime, secret_text: str | None = None
) -> PasswordCredentialResource:
    """A secret as Graph lists it: never its value, except `secret_text` right after `addPassword`."""
    return PasswordCredentialResource(
        display_name=secret.display_name or None,
        end_date_time=secret.end,
        hint=secret.hint,
        key_id=secret.key_id,
        secret_text=secret_text,
        start_date_time=secret.start,
        tenantry_status=credential_status(secret.start, secret.end, now),
    )


def key_view(cert: KeyCredential, now: datetime, *, with_key: bool = False) -> KeyCredentialResource:
    """A certificate; `customKeyIdentifier` is its SHA-1 thumbprint (Graph's default), base64 as Edm.Binary."""
    return KeyCredentialResource(
        custom_key_identifier=base64.b64encode(cert.thumbprint_sha1).decode("ascii"),
        display_name=cert.display_name or None,
        end_date_time=cert.end,
        key=base64.b64encode(cert.cert_der).decode("ascii") if with_key else None,
        key_id=cert.key_id,
        start_date_time=cert.start,
        type=cert.type,
        usage=cert.usage,
        tenantry_status=credential_status(cert.start, cert.end, now),
    )


def application_status(secrets: list[PasswordCredential], certs: list[KeyCredential], now: datetime) -> str:
    """The app keeps working while any credential does: the status of the one that ends last."""
    ends = [(c.end, c.start) for c in secrets] + [(c.end, c.start) for c in certs]
    if not ends:
        return NO_CREDENTIALS
    end, start = max(ends)
    return credential_status(start, end, now)


def _role(role: AppRole) -> AppRoleResource:
    return AppRoleResource(
        allowed_member_types=list(role.allowed_member_types),
        description=role.description,
        display_name=role.display_name,
        id=role.id,
        is_enabled=role.is_enabled,
        value=role.value,
    )


def scope_view(scope: PermissionScope) -> PermissionScopeResource:
    """A delegated permission (also listed on service principals)."""
    return PermissionScopeResource(
        admin_consent_description=scope.admin_consent_description,
        admin_consent_display_name=scope.admin_consent_display_name,
        id=scope.id,
        is_enabled=scope.is_enabled,
        type=scope.type,
        user_consent_description=scope.user_consent_description,
        user_consent_display_name=scope.user_consent_display_name,
        value=scope.value,
    )


def role_views(app: Application) -> list[AppRoleResource]:
    """The app roles (also listed on service principals)."""
    return [_role(r) for r in app.app_roles]


def _required(entry: RequiredResourceAccess) -> RequiredResourceAccessResource:
    access = [ResourceAccessResource(id=a.id, type=a.type) for a in entry.resource_access]
    return RequiredResourceAccessResource(resource_app_id=entry.resource_app_id, resource_access=access)


def application_view(
    app: Application,
    credentials: tuple[list[PasswordCredential], list[KeyCredential]],
    now: datetime,
    publisher_domain: str | None,
    *,
    with_keys: bool = False,
) -> ApplicationResource:
    """Graph's `application` for one of our app registrations."""
    secrets, certs = credentials
    return ApplicationResource(
        id=app.id,
        app_id=app.app_id,
        display_name=app.display_name,
        created_date_time=app.created_at,
        sign_in_audience=app.sign_in_audience.value,
        identifier_uris=list(app.identifier_uris),
        publisher_domain=publisher_domain,
        is_fallback_public_client=app.is_fallback_public_client,
        api=ApiResource(
            oauth2_permission_scopes=[scope_view(s) for s in app.oauth2_permission_scopes],
            requested_access_token_version=app.requested_access_token_version,
        ),
        app_roles=role_views(app),
        required_resource_access=[_required(r) for r in app.required_resource_access],
        web=WebResource(
            implicit_grant_settings=ImplicitGrantSettings(enable_id_token_issuance=app.enable_id_token_issuance),
            redirect_uris=list(app.web_redirect_uris),
        ),
        spa=RedirectsResource(redirect_uris=list(app.spa_redirect_uris)),
        public_client=RedirectsResource(redirect_uris=list(app.public_client_redirect_uris)),
        key_credentials=[key_view(c, now, with_key=with_keys) for c in certs],
        password_credentials=[password_view(s, now) for s in secrets],
        group_membership_claims=app.group_membership_claims,
        tenantry_status=application_status(secrets, certs, now),
    )
