"""How a command names an application: by appId, by object id, or by one of its App ID URIs, as
`az ad app show --id` accepts (and `--api` of `az ad app permission add`).

A GUID is looked up as an appId, then as an object id; both are unique across tenants. Anything else
is an App ID URI, compared as `identifier_uri_key` compares them (ignoring case and one trailing
slash). A first-party URI (`https://graph.microsoft.com`) names the first-party app wherever it is
asked, as at the token endpoint (`protocol/resources.py`). Other URIs are unique only within a tenant,
so with a tenant known the tenant's app answers; without one the URI must name exactly one app in
the whole directory.
"""

from __future__ import annotations

from typing import Protocol

from tenantry.apps.changes import AppError
from tenantry.apps.identifier_uris import first_party_holder
from tenantry.apps.models import Application
from tenantry.apps.repository import ApplicationLookup, ApplicationReader
from tenantry.common.ids import is_guid
from tenantry.directory.models import Tenant


class AppReferenceError(AppError):
    """No application, or more than one, answers to a reference; the message says what was looked for."""


class AppReferenceReader(ApplicationReader, ApplicationLookup, Protocol):
    """What resolving a reference reads."""

    def list_tenants(self) -> list[Tenant]:
        """Every tenant, oldest first."""
        ...


def find_app_by_reference(unit: AppReferenceReader, reference: str, tenant_id: str | None = None) -> Application | None:
    """The application `reference` names (see the module docstring), or None; `AppReferenceError` when an
    App ID URI without a tenant names apps in several tenants."""
    if is_guid(reference):
        key = reference.lower()
        return unit.find_application_by_app_id(key) or unit.find_application(key)
    first_party = first_party_holder(unit, reference)
    if first_party is not None:
        return first_party
    if tenant_id is not None:
        return unit.find_application_by_identifier_uri(tenant_id, reference)
    return _only_holder(unit, reference)


def _only_holder(unit: AppReferenceReader, reference: str) -> Application | None:
    """The one app in the directory exposing the App ID URI `reference`, if any."""
    holders = [
        app
        for tenant in unit.list_tenants()
        if (app := unit.find_application_by_identifier_uri(tenant.id, reference)) is not None
    ]
    if len(holders) > 1:
        tenants = ", ".join(app.tenant_id for app in holders)
        raise AppReferenceError(
            f"the App ID URI '{reference}' is used in several tenants ({tenants}); name the app by its appId"
        )
    return holders[0] if holders else None


def not_found(reference: str, tenant_id: str | None = None) -> AppReferenceError:
    """The error for a reference nothing answers to, naming what was tried."""
    if is_guid(reference):
        return AppReferenceError(f"no application has the appId or object id '{reference}'")
    where = f"tenant '{tenant_id}'" if tenant_id else "any tenant"
    return AppReferenceError(
        f"no application has the appId, object id or App ID URI '{reference}' (not a GUID; no App ID URI of "
        f"{where} or of a first-party app matches, ignoring case and one trailing slash)"
    )
