"""`/domains`: the tenant's verified domains, and their password expiry (entra-reference §5.2).

Any member (delegated, with a scope covering domain reads) or an app with `Domain.Read.All` /
`Directory.Read.All` reads them; `PATCH` needs `Domain.ReadWrite.All` (app) or, delegated, a Global
Administrator or Domain Name Administrator. `passwordValidityPeriodInDays` sets the tenant's password
policy (one per tenant: every domain shows it), audited as "Set password policy".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.models import Tenant
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import bad_request, not_found
from tenantry.graph.routes.common import ListOptions, SelectOption, no_content, ok
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.domains import (
    DOMAIN_FIELDS,
    NEVER_EXPIRES,
    DomainInput,
    DomainResource,
    domain_views,
)
from tenantry.passwords.service import PasswordPolicyError

router = APIRouter()


def _tenant(call: Call) -> Tenant:
    tenant = call.deps.directory.find_tenant(call.tenant_id)
    if tenant is None:  # the token's tenant was deleted after it was issued
        raise not_found(call.tenant_id)
    return tenant


def _domain_id(tenant: Tenant, id: str) -> str:
    """The tenant's domain named `id` (case-insensitive), or Graph's 404."""
    wanted = id.lower()
    if wanted not in (d.lower() for d in tenant.domains):
        raise not_found(id)
    return wanted


@router.get(
    "/domains",
    tags=["domains"],
    dependencies=[ListOptions],
    responses=ok(Collection[DomainResource]),
    operation_id="domains_list",
    summary="The tenant's verified domains, with their password validity period.",
)
def list_domains(call: CallDep) -> Response:
    """Every domain of the caller's tenant."""
    call.rights.check(Action.DOMAIN_READ)
    policy = call.deps.password_policies.policy_for(call.tenant_id)
    records = [view.wire() for view in domain_views(_tenant(call), policy)]
    return call.page(records, DOMAIN_FIELDS, "domains")


@router.get(
    "/domains/{id}",
    tags=["domains"],
    dependencies=[SelectOption],
    responses=ok(DomainResource),
    operation_id="domains_get",
    summary="One verified domain by name.",
)
def get_domain(id: str, call: CallDep) -> Response:
    """A domain of the caller's tenant by its name."""
    call.rights.check(Action.DOMAIN_READ)
    tenant = _tenant(call)
    wanted = _domain_id(tenant, id)
    policy = call.deps.password_policies.policy_for(call.tenant_id)
    record = next(v for v in domain_views(tenant, policy) if v.id and v.id.lower() == wanted)
    return call.one(record.wire(), DOMAIN_FIELDS, "domains")


@router.patch(
    "/domains/{id}",
    tags=["domains"],
    status_code=204,
    responses=no_content("Updated."),
    operation_id="domains_update",
    summary="Set passwordValidityPeriodInDays (1–730; 2147483647: passwords never expire).",
)
def update_domain(id: str, body: Annotated[DomainInput, Body()], call: CallDep) -> Response:
    """Graph `PATCH`: the tenant's password expiry; audited."""
    call.rights.check(Action.DOMAIN_UPDATE)
    _domain_id(_tenant(call), id)
    days = body.password_validity_period_in_days
    if days is not None:
        try:
            call.deps.password_policies.set_policy(
                call.tenant_id,
                validity_days=None if days == NEVER_EXPIRES else days,
                never_expire=days == NEVER_EXPIRES,
                audit=call.audit,
            )
        except PasswordPolicyError as exc:
            raise bad_request(f"Invalid value for passwordValidityPeriodInDays: {exc}.") from exc
    return Response(status_code=204)
