"""`client_id` names a registered application."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext
from tenantry.protocol.client_auth import Presented
from tenantry.protocol.users import tenant_label


def check_client(ctx: AuthorizeContext) -> None:
    """Missing client_id → 900144; unknown → 700016. Both are shown on the error page (nothing to redirect to)."""
    client_id = ctx.param("client_id")
    if client_id is None:
        raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="client_id")
    presented = Presented(client_id, None, None, None)
    ctx.client = ctx.deps.client_authenticator.find_app(presented, ctx.unit, tenant_label(ctx.tenant))
