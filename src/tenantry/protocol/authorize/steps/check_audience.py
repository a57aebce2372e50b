"""The app may be used from this tenant path (`signInAudience`) and is enabled there."""

from __future__ import annotations

from tenantry.protocol.audience import check_sign_in_audience
from tenantry.protocol.authorize.context import AuthorizeContext


def check_audience(ctx: AuthorizeContext) -> None:
    """50194 single-tenant app on /common, 9002332 org-only app on /consumers; for a tenant path the app
    needs a service principal there (700016) that is enabled (7000112). All are error pages, as in Entra."""
    client = ctx.require_client()
    check_sign_in_audience(client, ctx.tenant)
    if ctx.tenant.tenant is not None:
        ctx.client_sp = ctx.deps.client_authenticator.service_principal(client, ctx.tenant.tenant, ctx.unit)
