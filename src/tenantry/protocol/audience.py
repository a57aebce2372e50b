"""Who may use an app from which endpoint (`signInAudience`, entra-reference §1.3)."""

from __future__ import annotations

from tenantry.apps.models import Application, SignInAudience
from tenantry.apps.repository import ServicePrincipalReader
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.tenancy import TenantAlias, TenantRef

_ORGANIZATIONAL = frozenset({SignInAudience.MY_ORG, SignInAudience.MULTIPLE_ORGS})


def awaits_provisioning(app: Application, tenant: Tenant, unit: ServicePrincipalReader) -> bool:
    """A multi-tenant app of another tenant with no service principal in `tenant` yet: an administrator's
    consent there creates one (Entra provisions it), so admin consent may go ahead without it."""
    foreign = app.tenant_id != tenant.id and app.sign_in_audience is not SignInAudience.MY_ORG
    return foreign and unit.find_service_principal_by_app_id(tenant.id, app.app_id) is None


def check_sign_in_audience(app: Application, tenant: TenantRef) -> None:
    """Single-tenant apps need a tenant-specific authority (50194); org-only apps refuse /consumers (9002332)."""
    if tenant.alias is None:
        return
    if tenant.alias is TenantAlias.CONSUMERS and app.sign_in_audience in _ORGANIZATIONAL:
        raise AadstsError.of(Aadsts.OrganizationsOnlyAppOnConsumersEndpoint)
    if app.sign_in_audience is SignInAudience.MY_ORG:
        raise AadstsError.of(Aadsts.SingleTenantAppOnCommonEndpoint, client_id=app.app_id)
