"""Who may expose an App ID URI (`identifierUris`): one owner per tenant, first-party URIs reserved.

Two URIs name the same resource when they are equal ignoring case and one trailing slash
(`api://orders`, `API://Orders`, `api://orders/`): Entra matches the resource of a scope
case-insensitively, so such variants could otherwise lure tokens to a squatter. `identifier_uri_key`
is that comparison; the store indexes it (a unique key per tenant, so two concurrent claims cannot
both win) and looks URIs up by it; the app keeps its own spelling for display.

Every identifier URI of every application in the system tenant (`SYSTEM_TENANT_ID`: Microsoft Graph
and whatever first-party resource is provisioned there) is reserved in every tenant, and the token
endpoint resolves such a URI to the first-party app before looking in the tenant. A URI a tenant app
claimed before a first-party app was given it therefore never yields tokens for the tenant app.
"""

from __future__ import annotations

from tenantry.apps.first_party import GRAPH_APP_ID, SYSTEM_TENANT_ID
from tenantry.apps.models import Application
from tenantry.apps.repository import ApplicationReader, IdentifierUriTakenError


def identifier_uri_key(uri: str) -> str:
    """The form two App ID URIs are compared in: lower case, without one trailing `/`."""
    key = uri.lower()
    return key[:-1] if key.endswith("/") else key


def public_url_aliases(public_url: str | None) -> dict[str, str]:
    """The server's public URL as one more App ID URI of Microsoft Graph (keyed as `identifier_uri_key`):
    az uses one cloud setting, `microsoft_graph_resource_id`, both as Graph's base URL and as the resource of
    its Graph tokens, and that URL is ours. None (no public URL known) adds nothing."""
    return {identifier_uri_key(public_url): GRAPH_APP_ID} if public_url else {}


def first_party_holder(unit: ApplicationReader, uri: str) -> Application | None:
    """The first-party application (system tenant) exposing `uri`, if any."""
    return unit.find_application_by_identifier_uri(SYSTEM_TENANT_ID, uri)


def check_identifier_uris_free(unit: ApplicationReader, app: Application) -> None:
    """Raise `IdentifierUriTakenError` when a URI of `app` is reserved or exposed by another app of its tenant."""
    for uri in app.identifier_uris:
        if app.tenant_id != SYSTEM_TENANT_ID and first_party_holder(unit, uri) is not None:
            raise IdentifierUriTakenError(f"the App ID URI '{uri}' is reserved for a first-party application")
        holder = unit.find_application_by_identifier_uri(app.tenant_id, uri)
        if holder is not None and holder.id != app.id:
            raise IdentifierUriTakenError(
                f"the App ID URI '{uri}' is already used by another app of this tenant (appId {holder.app_id}); "
                "App ID URIs are compared ignoring case and a trailing slash"
            )
