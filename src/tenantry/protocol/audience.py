"""Who may use an app from which endpoint (`signInAudience`, entra-reference §1.3)."""

from __future__ import annotations

from tenantry.apps.models import Application, SignInAudience
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.tenancy import TenantAlias, TenantRef

_ORGANIZATIONAL = frozenset({SignInAudience.MY_ORG, SignInAudience.MULTIPLE_ORGS})


def check_sign_in_audience(app: Application, tenant: TenantRef) -> None:
    """Single-tenant apps need a tenant-specific authority (50194); org-only apps refuse /consumers (9002332)."""
    if tenant.alias is None:
        return
    if tenant.alias is TenantAlias.CONSUMERS and app.sign_in_audience in _ORGANIZATIONAL:
        raise AadstsError.of(Aadsts.OrganizationsOnlyAppOnConsumersEndpoint)
    if app.sign_in_audience is SignInAudience.MY_ORG:
        raise AadstsError.of(Aadsts.SingleTenantAppOnCommonEndpoint, client_id=app.app_id)
