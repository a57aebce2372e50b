"""Which tenant a user signs in to (entra-reference §1.2): the path's tenant, or for `/common` and
`/organizations` the home tenant named by the UPN's domain.
"""

from __future__ import annotations

from tenantry.directory.models import Tenant, User
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantAlias, TenantRef


def sign_in_tenant(ref: TenantRef, user: User, unit: StsUnit) -> Tenant:
    """The tenant the tokens are issued in; a user of another tenant gets 50020 (no B2B guests yet)."""
    if ref.tenant is not None:
        if user.tenant_id != ref.tenant.id:
            raise AadstsError.of(Aadsts.UserUnauthorized, user=user.user_principal_name, tenant=ref.tenant.id)
        return ref.tenant
    if ref.alias is TenantAlias.CONSUMERS:
        raise AadstsError.of(Aadsts.UserUnauthorized, user=user.user_principal_name, tenant=str(ref.alias))
    home = unit.find_tenant(user.tenant_id)
    assert home is not None, "a user always has a tenant (foreign key)"
    return home


def tenant_label(ref: TenantRef) -> str:
    """How error messages name the tenant: its GUID, or the alias the client used."""
    return ref.tenant.id if ref.tenant is not None else ref.segment
