"""Request bodies of the application endpoints (Graph v1.0 names; unknown properties are a 400)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from tenantry.apps.changes import MAX_DISPLAY_NAME, MAX_URIS, ApplicationChanges, Keep
from tenantry.apps.models import RequiredResourceAccess, ResourceAccess, SignInAudience
from tenantry.graph.schemas.common import GraphInput

Uri = str
UriList = list[Uri]


class ImplicitGrantInput(GraphInput):
    """`web.implicitGrantSettings` (only `enableIdTokenIssuance` changes behaviour here)."""

    enable_id_token_issuance: bool | None = None
    enable_access_token_issuance: bool | None = None


class WebInput(GraphInput):
    """`web`."""

    redirect_uris: UriList | None = Field(None, max_length=MAX_URIS)
    implicit_grant_settings: ImplicitGrantInput | None = None


class RedirectsInput(GraphInput):
    """`spa` / `publicClient`."""

    redirect_uris: UriList | None = Field(None, max_length=MAX_URIS)


class ApiInput(GraphInput):
    """`api` (only the token version is settable here; scopes and roles come from the CLI)."""

    requested_access_token_version: Literal[1, 2] | None = None


class ResourceAccessInput(GraphInput):
    """One permission to request."""

    id: UUID
    type: Literal["Role", "Scope"]


class RequiredResourceAccessInput(GraphInput):
    """Permissions to request on one resource app."""

    resource_app_id: UUID
    resource_access: list[ResourceAccessInput] = Field(max_length=400)


class ApplicationInput(GraphInput):
    """`POST /applications` (displayName required) and `PATCH /applications/{id}` (any subset)."""

    display_name: str | None = Field(None, min_length=1, max_length=MAX_DISPLAY_NAME)
    sign_in_audience: Literal["AzureADMyOrg", "AzureADMultipleOrgs"] | None = None
    identifier_uris: UriList | None = Field(None, max_length=MAX_URIS)
    is_fallback_public_client: bool | None = None
    api: ApiInput | None = None
    web: WebInput | None = None
    spa: RedirectsInput | None = None
    public_client: RedirectsInput | None = None
    required_resource_access: list[RequiredResourceAccessInput] | None = Field(None, max_length=50)
    group_membership_claims: Literal["None", "SecurityGroup", "All", "ApplicationGroup", "DirectoryRole"] | None = None
    # `az ad app create` always sends `keyCredentials` (an empty list without --key-value): accepted empty, as
    # credentials are added by addPassword/addKey (which prove possession and are audited on their own).
    key_credentials: list[dict[str, Any]] | None = Field(None, max_length=0)
    password_credentials: list[dict[str, Any]] | None = Field(None, max_length=0)

    def changes(self) -> ApplicationChanges:
        """Only the properties the body names; a `null` clears a list (or the token version)."""
        sent = self.model_fields_set
        keep: Keep = Keep.KEEP
        web, spa, public, api = self.web, self.spa, self.public_client, self.api
        return ApplicationChanges(
            display_name=self.display_name if self.display_name is not None else keep,
            sign_in_audience=SignInAudience(self.sign_in_audience) if self.sign_in_audience else keep,
            identifier_uris=tuple(self.identifier_uris or ()) if "identifier_uris" in sent else keep,
            web_redirect_uris=_uris(web.redirect_uris, "redirect_uris" in web.model_fields_set) if web else keep,
            spa_redirect_uris=_uris(spa.redirect_uris, "redirect_uris" in spa.model_fields_set) if spa else keep,
            public_client_redirect_uris=(
                _uris(public.redirect_uris, "redirect_uris" in public.model_fields_set) if public else keep
            ),
            is_fallback_public_client=(
                self.is_fallback_public_client if self.is_fallback_public_client is not None else keep
            ),
            requested_access_token_version=(
                api.requested_access_token_version
                if api and "requested_access_token_version" in api.model_fields_set
                else keep
            ),
            required_resource_access=(
                _required(self.required_resource_access) if "required_resource_access" in sent else keep
            ),
            enable_id_token_issuance=_id_tokens(web) if web else keep,
            group_membership_claims=self.group_membership_claims if "group_membership_claims" in sent else keep,
        )


def _uris(values: UriList | None, sent: bool) -> tuple[str, ...] | Keep:
    return tuple(values or ()) if sent else Keep.KEEP


def _id_tokens(web: WebInput) -> bool | Keep:
    settings = web.implicit_grant_settings
    if settings is None or settings.enable_id_token_issuance is None:
        return Keep.KEEP
    return settings.enable_id_token_issuance


def _required(entries: list[RequiredResourceAccessInput] | None) -> tuple[RequiredResourceAccess, ...]:
    return tuple(
        RequiredResourceAccess(
            str(e.resource_app_id), tuple(ResourceAccess(str(a.id), a.type) for a in e.resource_access)
        )
        for e in entries or ()
    )


class PasswordCredentialInput(GraphInput):
    """`passwordCredential` of `addPassword`: every property optional (start now, end start + 2 years)."""

    display_name: str | None = Field(None, max_length=MAX_DISPLAY_NAME)
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    custom_key_identifier: str | None = None


class AddPasswordInput(GraphInput):
    """`POST /applications/{id}/addPassword`."""

    password_credential: PasswordCredentialInput | None = None


class ShareLinkInput(AddPasswordInput):
    """Tenantry's extension action: a new secret delivered through a one-time link."""

    ttl_minutes: int = Field(24 * 60, ge=1, le=7 * 24 * 60)


class RemovePasswordInput(GraphInput):
    """`POST /applications/{id}/removePassword`."""

    key_id: UUID


class KeyCredentialInput(GraphInput):
    """`keyCredential` of `addKey`: a public X.509 certificate, base64 (DER, or PEM text)."""

    type: str
    usage: str
    key: str = Field(min_length=1, max_length=65536)
    display_name: str | None = Field(None, max_length=MAX_DISPLAY_NAME)
    custom_key_identifier: str | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    key_id: UUID | None = None


class AddKeyInput(GraphInput):
    """`POST /applications/{id}/addKey`; `proof` is a JWT signed by a currently valid certificate of the app."""

    key_credential: KeyCredentialInput
    password_credential: PasswordCredentialInput | None = None
    proof: str | None = Field(None, max_length=16384)


class RemoveKeyInput(GraphInput):
    """`POST /applications/{id}/removeKey`."""

    key_id: UUID
    proof: str | None = Field(None, max_length=16384)


class ReferenceInput(GraphInput):
    """`POST …/owners/$ref`: `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`."""

    odata_id: str = Field(alias="@odata.id", min_length=1, max_length=2048)
