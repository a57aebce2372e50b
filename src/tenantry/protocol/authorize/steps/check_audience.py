"""The app may be used from this tenant path (`signInAudience`) and is enabled there."""

from __future__ import annotations

from tenantry.protocol.audience import awaits_provisioning, check_sign_in_audience
from tenantry.protocol.authorize.context import AuthorizeContext, Endpoint


def check_audience(ctx: AuthorizeContext) -> None:
    """50194 single-tenant app on /common, 9002332 org-only app on /consumers; for a tenant path the app
    needs a service principal there (700016) that is enabled (7000112). All are error pages, as in Entra.
    Admin consent to a multi-tenant app not yet in the tenant goes ahead: the consent provisions it."""
    client = ctx.require_client()
    check_sign_in_audience(client, ctx.tenant)
    tenant = ctx.tenant.tenant
    if tenant is not None:
        if ctx.endpoint is Endpoint.ADMIN_CONSENT and awaits_provisioning(client, tenant, ctx.unit):
            return
        ctx.client_sp = ctx.deps.client_authenticator.service_principal(client, tenant, ctx.unit)
