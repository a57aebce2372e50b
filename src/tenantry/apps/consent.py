"""Consent to delegated permissions: who granted what, and what a request still lacks.

Admin consent (`AllPrincipals`) covers every user of the tenant; a user's own consent (`Principal`)
covers only them. Scopes of type `Admin` can only be granted by admin consent (AADSTS90094).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tenantry.apps.models import Application, PermissionGrant, ServicePrincipal
from tenantry.apps.repository import PermissionGrantRepository
from tenantry.common.ids import new_guid
from tenantry.directory.models import User

ALL_PRINCIPALS = "AllPrincipals"
PRINCIPAL = "Principal"


@dataclass(frozen=True, slots=True)
class ConsentGap:
    """What a sign-in still needs consent for; `admin_only` cannot be granted by the user."""

    missing: frozenset[str]
    admin_only: frozenset[str]

    @property
    def satisfied(self) -> bool:
        """Nothing is missing."""
        return not self.missing


def granted_scopes(grants: Iterable[PermissionGrant], user_id: str) -> frozenset[str]:
    """Scopes consented for this user: the admin's grant plus the user's own."""
    values: set[str] = set()
    for grant in grants:
        if grant.consent_type == ALL_PRINCIPALS or grant.principal_id == user_id:
            values.update(grant.scopes)
    return frozenset(values)


def consent_gap(resource: Application, wanted: Iterable[str], granted: frozenset[str]) -> ConsentGap:
    """Compare the wanted scope values with what was granted."""
    missing = frozenset(wanted) - granted
    admin = {s.value for s in resource.oauth2_permission_scopes if s.type == "Admin"}
    return ConsentGap(missing, frozenset(missing & admin))


def required_scope_values(client: Application, resource: Application) -> tuple[str, ...]:
    """Delegated scopes the client statically requires on `resource` (what `/.default` stands for)."""
    ids = {
        access.id
        for entry in client.required_resource_access
        if entry.resource_app_id == resource.app_id
        for access in entry.resource_access
        if access.type == "Scope"
    }
    return tuple(s.value for s in resource.oauth2_permission_scopes if s.id in ids and s.is_enabled)


def record_consent(
    repo: PermissionGrantRepository,
    client_sp: ServicePrincipal,
    resource_sp: ServicePrincipal,
    user: User | None,
    scopes: Iterable[str],
    now: datetime,
) -> PermissionGrant:
    """Add `scopes` to the user's own grant, or to the tenant-wide grant when `user` is None (admin consent)."""
    existing = repo.list_permission_grants(client_sp.tenant_id, client_sp.id, resource_sp.id)
    principal = user.id if user else None
    current = next((g for g in existing if g.principal_id == principal), None)
    merged = tuple(sorted(set(current.scopes if current else ()) | set(scopes)))
    grant = PermissionGrant(
        current.id if current else new_guid(),
        client_sp.tenant_id,
        client_sp.id,
        resource_sp.id,
        PRINCIPAL if user else ALL_PRINCIPALS,
        principal,
        merged,
        now,
    )
    repo.save_permission_grant(grant)
    return grant
