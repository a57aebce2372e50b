"""Graph-shaped JSON views of domain objects, shared by the CLI's `--json` output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenantry.apps.models import Application
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.credentials.status import credential_status
from tenantry.directory.models import Tenant


def iso(value: datetime) -> str:
    """Graph's UTC timestamp form."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def tenant_view(tenant: Tenant) -> dict[str, Any]:
    """Graph `organization`, trimmed."""
    return {
        "id": tenant.id,
        "displayName": tenant.display_name,
        "verifiedDomains": [{"name": d, "isInitial": i == 0} for i, d in enumerate(tenant.domains)],
        "createdDateTime": iso(tenant.created_at),
    }


def application_view(app: Application) -> dict[str, Any]:
    """Graph `application`, with the properties Tenantry supports."""
    return {
        "id": app.id,
        "appId": app.app_id,
        "displayName": app.display_name,
        "tenantId": app.tenant_id,
        "signInAudience": app.sign_in_audience.value,
        "identifierUris": list(app.identifier_uris),
        "isFallbackPublicClient": app.is_fallback_public_client,
        "web": {"redirectUris": list(app.web_redirect_uris)},
        "spa": {"redirectUris": list(app.spa_redirect_uris)},
        "publicClient": {"redirectUris": list(app.public_client_redirect_uris)},
        "api": {"requestedAccessTokenVersion": app.requested_access_token_version},
        "appRoles": [
            {
                "id": r.id,
                "value": r.value,
                "displayName": r.display_name,
                "allowedMemberTypes": list(r.allowed_member_types),
                "isEnabled": r.is_enabled,
            }
            for r in app.app_roles
        ],
        "requiredResourceAccess": [
            {
                "resourceAppId": r.resource_app_id,
                "resourceAccess": [{"id": a.id, "type": a.type} for a in r.resource_access],
            }
            for r in app.required_resource_access
        ],
        "createdDateTime": iso(app.created_at),
    }


def password_view(credential: PasswordCredential, now: datetime) -> dict[str, Any]:
    """Graph `passwordCredential` without `secretText`, plus our computed status."""
    return {
        "keyId": credential.key_id,
        "displayName": credential.display_name,
        "hint": credential.hint,
        "startDateTime": iso(credential.start),
        "endDateTime": iso(credential.end),
        "status": credential_status(credential.start, credential.end, now),
    }


def key_view(credential: KeyCredential, now: datetime) -> dict[str, Any]:
    """Graph `keyCredential` (the certificate itself left out), plus our computed status."""
    return {
        "keyId": credential.key_id,
        "displayName": credential.display_name,
        "type": credential.type,
        "usage": credential.usage,
        "customKeyIdentifier": credential.thumbprint_sha1.hex().upper(),
        "startDateTime": iso(credential.start),
        "endDateTime": iso(credential.end),
        "status": credential_status(credential.start, credential.end, now),
    }
