"""`redirect_uri` is registered on the app (RFC 6749 §3.1.2.3)."""

from __future__ import annotations

from tenantry.apps.first_party import runtime_redirect_uris
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext
from tenantry.protocol.authorize.redirect_uris import match_redirect_uri, platforms


def check_redirect_uri(ctx: AuthorizeContext) -> None:
    """Exact match per platform, loopback ports aside, or a first-party app's URI derived from the public
    URL (the admin center's) → else 50011 on the error page, never redirected to; omitted: the app's only
    registered redirect URI is used, and with several (or none) it is 900971."""
    client = ctx.require_client()
    uri = ctx.param("redirect_uri")
    if uri is None:
        registered = [(platform, u) for platform, uris in platforms(client) for u in uris]
        if len(registered) != 1:
            raise AadstsError.of(Aadsts.NoReplyAddress)
        ctx.platform, ctx.redirect_uri = registered[0]
        return
    platform = match_redirect_uri(client, uri)
    if platform is None and uri in runtime_redirect_uris(client, ctx.base_url):
        platform = "web"
    if platform is None:
        raise AadstsError.of(Aadsts.InvalidReplyTo, redirect_uri=uri, client_id=client.app_id)
    ctx.redirect_uri, ctx.platform = uri, platform
