"""Validated changes to an app registration: what `POST`/`PATCH /applications` and the CLI may set.

Every field of `ApplicationChanges` defaults to `KEEP`, so a PATCH names only what it changes (Graph
semantics: properties left out are unchanged, `null` clears a nullable one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import TypeVar
from urllib.parse import urlsplit

from tenantry.apps.models import Application, RequiredResourceAccess, SignInAudience
from tenantry.common.ids import is_guid

PLATFORMS = ("web", "spa", "public")
MAX_DISPLAY_NAME = 256
MAX_URIS = 256
MAX_IDENTIFIER_URI = 256
SUPPORTED_AUDIENCES = (SignInAudience.MY_ORG, SignInAudience.MULTIPLE_ORGS)


class AppError(ValueError):
    """A request the directory refuses, with a message fit for the CLI and Graph."""


class Keep(Enum):
    """Marker for "leave this property as it is"."""

    KEEP = "keep"


KEEP = Keep.KEEP
V = TypeVar("V")


def check_redirect_uri(uri: str, platform: str) -> None:
    """Web and SPA redirect URIs are https, or http on loopback (Entra's rule); public clients may use any scheme."""
    parts = urlsplit(uri)
    if platform not in PLATFORMS:
        raise AppError(f"platform must be one of {', '.join(PLATFORMS)}")
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.hostname):
        raise AppError(f"'{uri}' is not an absolute URI")
    if parts.fragment:
        raise AppError("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)")
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if platform != "public" and parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise AppError(f"'{uri}' must use https (http is allowed only for localhost)")


def check_identifier_uri(uri: str) -> None:
    """App ID URIs are absolute `api://` or `https://` URIs without query or fragment, of at most
    `MAX_IDENTIFIER_URI` characters (their lower-cased key must fit the store's 512-character column)."""
    if len(uri) > MAX_IDENTIFIER_URI:
        raise AppError(f"an App ID URI may have at most {MAX_IDENTIFIER_URI} characters")
    parts = urlsplit(uri)
    if parts.scheme not in ("api", "https") or not parts.netloc or parts.query or parts.fragment:
        raise AppError(f"'{uri}' is not a valid App ID URI (use api://… or https://…)")


@dataclass(frozen=True, slots=True)
class ApplicationChanges:
    """Properties to set on an application; `KEEP` leaves one unchanged."""

    display_name: str | Keep = KEEP
    sign_in_audience: SignInAudience | Keep = KEEP
    identifier_uris: tuple[str, ...] | Keep = KEEP
    web_redirect_uris: tuple[str, ...] | Keep = KEEP
    spa_redirect_uris: tuple[str, ...] | Keep = KEEP
    public_client_redirect_uris: tuple[str, ...] | Keep = KEEP
    is_fallback_public_client: bool | Keep = KEEP
    requested_access_token_version: int | Keep | None = KEEP
    required_resource_access: tuple[RequiredResourceAccess, ...] | Keep = KEEP
    enable_id_token_issuance: bool | Keep = KEEP
    group_membership_claims: str | Keep | None = KEEP


def _pick(value: V | Keep, current: V) -> V:
    return current if isinstance(value, Keep) else value


def _redirects(uris: tuple[str, ...], platform: str) -> tuple[str, ...]:
    if len(uris) > MAX_URIS:
        raise AppError(f"an application may have at most {MAX_URIS} redirect URIs per platform")
    for uri in uris:
        check_redirect_uri(uri, platform)
    return tuple(dict.fromkeys(uris))


def _check_display_name(name: str) -> str:
    if not name.strip() or len(name) > MAX_DISPLAY_NAME:
        raise AppError(f"displayName must be 1–{MAX_DISPLAY_NAME} characters and not blank")
    return name


def _check_required_access(entries: tuple[RequiredResourceAccess, ...]) -> tuple[RequiredResourceAccess, ...]:
    """Graph's `requiredResourceAccess`: resource appIds and permission ids are GUIDs, types Role or Scope."""
    for entry in entries:
        if not is_guid(entry.resource_app_id):
            raise AppError(f"'{entry.resource_app_id}' is not a valid resourceAppId")
        for access in entry.resource_access:
            if not is_guid(access.id) or access.type not in ("Role", "Scope"):
                raise AppError("each resourceAccess needs a GUID id and the type Role or Scope")
    return entries


def apply_changes(app: Application, changes: ApplicationChanges) -> Application:
    """The app with `changes` applied, every new value checked (uniqueness of App ID URIs is the caller's)."""
    audience = _pick(changes.sign_in_audience, app.sign_in_audience)
    if not isinstance(changes.sign_in_audience, Keep) and audience not in SUPPORTED_AUDIENCES:
        raise AppError("signInAudience must be AzureADMyOrg or AzureADMultipleOrgs")
    uris = _pick(changes.identifier_uris, app.identifier_uris)
    if uris is not app.identifier_uris:
        for uri in uris:
            check_identifier_uri(uri)
    version = _pick(changes.requested_access_token_version, app.requested_access_token_version)
    if version not in (None, 1, 2):
        raise AppError("the access token version must be 1 or 2")
    name = changes.display_name
    return replace(
        app,
        display_name=app.display_name if isinstance(name, Keep) else _check_display_name(name),
        sign_in_audience=audience,
        identifier_uris=tuple(dict.fromkeys(uris)),
        web_redirect_uris=_redirects(_pick(changes.web_redirect_uris, app.web_redirect_uris), "web"),
        spa_redirect_uris=_redirects(_pick(changes.spa_redirect_uris, app.spa_redirect_uris), "spa"),
        public_client_redirect_uris=_redirects(
            _pick(changes.public_client_redirect_uris, app.public_client_redirect_uris), "public"
        ),
        is_fallback_public_client=_pick(changes.is_fallback_public_client, app.is_fallback_public_client),
        requested_access_token_version=version,
        required_resource_access=_check_required_access(
            _pick(changes.required_resource_access, app.required_resource_access)
        ),
        enable_id_token_issuance=_pick(changes.enable_id_token_issuance, app.enable_id_token_issuance),
        group_membership_claims=_group_claims(_pick(changes.group_membership_claims, app.group_membership_claims)),
    )


GROUP_MEMBERSHIP_CLAIMS = ("None", "SecurityGroup", "All", "ApplicationGroup", "DirectoryRole")


def _group_claims(value: str | None) -> str | None:
    """Graph's `groupMembershipClaims` values; "None" and null both mean no groups claim."""
    if value is None or value == "None":
        return None
    if value not in GROUP_MEMBERSHIP_CLAIMS:
        raise AppError(f"groupMembershipClaims must be one of {', '.join(GROUP_MEMBERSHIP_CLAIMS)}")
    return value


def describe(app: Application) -> dict[str, str]:
    """The audited properties of an app under their Graph names, for `modifiedProperties` (no secrets here)."""
    return {
        "displayName": app.display_name,
        "signInAudience": app.sign_in_audience.value,
        "identifierUris": ",".join(app.identifier_uris),
        "web.redirectUris": ",".join(app.web_redirect_uris),
        "spa.redirectUris": ",".join(app.spa_redirect_uris),
        "publicClient.redirectUris": ",".join(app.public_client_redirect_uris),
        "isFallbackPublicClient": str(app.is_fallback_public_client).lower(),
        "groupMembershipClaims": app.group_membership_claims or "None",
        "api.requestedAccessTokenVersion": str(app.requested_access_token_version or ""),
        "requiredResourceAccess": ",".join(
            f"{r.resource_app_id}:{a.id}:{a.type}" for r in app.required_resource_access for a in r.resource_access
        ),
    }


def modified_properties(before: Application, after: Application) -> tuple[tuple[str, str, str], ...]:
    """(property, old, new) for every audited property that changed."""
    old, new = describe(before), describe(after)
    return tuple((name, old[name], new[name]) for name in old if old[name] != new[name])
