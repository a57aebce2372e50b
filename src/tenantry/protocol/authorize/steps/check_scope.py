"""`scope` names OIDC scopes and the permissions of one resource (entra-reference §2.4)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext
from tenantry.protocol.scopes import parse_user_scopes


def check_scope(ctx: AuthorizeContext) -> None:
    """Missing → 900144; several resources → 700022; unknown → 70011; resource missing or disabled →
    500011 / 500014; an id_token needs `openid` (70005). On /common and /organizations the scopes are
    checked in the client's home tenant here, and again in the user's tenant once the user is known."""
    client = ctx.require_client()
    tenant = ctx.tenant.tenant or ctx.unit.find_tenant(client.tenant_id)
    assert tenant is not None, "an app always has a home tenant"
    ctx.scopes = parse_user_scopes(ctx.param("scope"), tenant, ctx.unit)
    if "id_token" in ctx.response_types and not ctx.scopes.wants_id_token:
        raise AadstsError.of(
            Aadsts.UnsupportedResponseType, response_type=" ".join(sorted(ctx.response_types))
        ).with_hint("Add 'openid' to the scope.")
