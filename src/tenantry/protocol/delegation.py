"""Delegated access checks shared by /authorize and the user grants of the token endpoint.

- app role assignment required on the client's service principal and none held → 50105;
- consent: what the user (or an admin) already granted, and what the request still needs. A pre-authorised
  first-party client (the Azure CLI or PowerShell on ARM or Graph, `apps/first_party.py`) counts as granted
  what it is pre-authorised for, as Entra never prompts for those.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.apps.consent import (
    ConsentGap,
    consent_gap,
    granted_scopes,
    required_scope_values,
)
from tenantry.apps.first_party import preauthorized_scopes
from tenantry.apps.models import Application, ServicePrincipal
from tenantry.directory.models import User
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import UserScopes


def check_user_assignment(client_sp: ServicePrincipal, user: User, unit: StsUnit) -> None:
    """When the client SP requires assignment, the user (or one of their groups) must hold a role on it."""
    if not client_sp.app_role_assignment_required:
        return
    principals = [user.id, *unit.list_group_ids_of_member(client_sp.tenant_id, user.id)]
    if not any(unit.list_assignments(client_sp.tenant_id, p, client_sp.id) for p in principals):
        raise AadstsError.of(Aadsts.EntitlementGrantsNotFound)


@dataclass(frozen=True, slots=True)
class ConsentState:
    """Consent for one request: what is granted, what is missing, and the resulting `scp`."""

    gap: ConsentGap
    scp: tuple[str, ...]
    wanted: tuple[str, ...]


def consent_state(
    client: Application, client_sp: ServicePrincipal, scopes: UserScopes, user: User, unit: StsUnit
) -> ConsentState:
    """`.default` wants what the client statically requires; `scp` carries everything granted on the resource,
    pre-authorised scopes included."""
    resource = scopes.resource
    grants = unit.list_permission_grants(client_sp.tenant_id, client_sp.id, resource.service_principal.id)
    granted = granted_scopes(grants, user.id) | preauthorized_scopes(client, resource.app)
    wanted = required_scope_values(client, resource.app) if scopes.is_default else scopes.values
    gap = consent_gap(resource.app, wanted, granted)
    oidc_scp = (
        tuple(s for s in ("openid", "profile", "email") if s in scopes.oidc) if not wanted and not granted else ()
    )
    scp = tuple(sorted(granted | set(wanted))) or oidc_scp
    return ConsentState(gap, scp, tuple(wanted))


def require_consent(state: ConsentState, client: Application) -> None:
    """For flows that cannot show a consent page: admin-only scopes → 90094, others → 65001."""
    if state.gap.admin_only:
        raise AadstsError.of(Aadsts.AdminConsentRequired).with_suberror("consent_required")
    if state.gap.missing:
        raise AadstsError.of(Aadsts.DelegationDoesNotExist, client_id=client.app_id).with_suberror("consent_required")
