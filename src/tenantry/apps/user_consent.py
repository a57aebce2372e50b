"""A user's own consent to apps (`oAuth2PermissionGrant` with `consentType` `Principal`): list it and withdraw
it, as Entra's My Apps / My Account "Apps" page does. Withdrawing deletes the grant, so the app's next
sign-in of this user asks for consent again (`sessions/consent.py`); admin consent (`AllPrincipals`) is an
administrator's and never appears here.

Who may withdraw what is decided here, not by the adapter: only the grant's own principal, which is the only
right involved (no directory role lets a user touch another user's consent through this service).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from tenantry.apps.consent import PRINCIPAL
from tenantry.apps.models import PermissionGrant
from tenantry.apps.repository import ServicePrincipalDirectory
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.directory.models import User


class UserGrantRepository(Protocol):
    """One principal's delegated-permission grants."""

    def list_principal_permission_grants(self, tenant_id: str, principal_id: str) -> list[PermissionGrant]:
        """The grants whose principal is this user (`consentType` `Principal`), oldest first."""
        ...

    def delete_permission_grant(self, tenant_id: str, grant_id: str) -> bool:
        """Delete one grant of the tenant; False when there is none with this id."""
        ...


class UserConsentUnit(UserGrantRepository, ServicePrincipalDirectory, AuditRepository, Protocol):
    """What one consent transaction needs."""


@dataclass(frozen=True, slots=True)
class ConsentedApp:
    """One grant as a person reads it: the app, the API it reaches, and the permissions consented."""

    grant_id: str
    client_name: str
    client_app_id: str
    resource_name: str
    scopes: tuple[str, ...]


class UserConsentService:
    """The apps a user consented to, and withdrawing that consent (audited)."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[UserConsentUnit]]) -> None:
        self._transaction = transaction

    def list_consents(self, user: User) -> list[ConsentedApp]:
        """The user's own grants, with the names of client and resource service principals."""
        with self._transaction() as unit:
            grants = unit.list_principal_permission_grants(user.tenant_id, user.id)
            apps = [_described(unit, g) for g in grants if g.consent_type == PRINCIPAL]
        return sorted(apps, key=lambda a: (a.client_name.lower(), a.resource_name.lower()))

    def revoke_consent(self, user: User, grant_id: str, ctx: AuditContext) -> bool:
        """Delete the user's own grant `grant_id`; False when the user has no such grant (another user's
        grant, or an admin consent, is never found). Audited "Remove delegated permission grant"."""
        with self._transaction(write=True) as unit:
            grants = unit.list_principal_permission_grants(user.tenant_id, user.id)
            grant = next((g for g in grants if g.id == grant_id and g.consent_type == PRINCIPAL), None)
            if grant is None or not unit.delete_permission_grant(user.tenant_id, grant.id):
                return False
            described = _described(unit, grant)
            modified = (("Scope", " ".join(grant.scopes), ""), ("PrincipalId", user.id, ""))
            targets = (Target("ServicePrincipal", grant.client_id, described.client_name, modified),)
            record(unit, ctx, user.tenant_id, AuditActivity.REMOVE_DELEGATED_PERMISSION_GRANT, targets, "Delete")
        return True


def _described(unit: UserConsentUnit, grant: PermissionGrant) -> ConsentedApp:
    client = unit.find_service_principal(grant.tenant_id, grant.client_id)
    resource = unit.find_service_principal(grant.tenant_id, grant.resource_id)
    return ConsentedApp(
        grant.id,
        client.display_name if client else grant.client_id,
        client.app_id if client else "",
        resource.display_name if resource else grant.resource_id,
        grant.scopes,
    )
