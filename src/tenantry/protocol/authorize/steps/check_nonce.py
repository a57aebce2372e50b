"""An id_token from /authorize needs a `nonce` (OIDC Core §3.2.2.1)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext


def check_nonce(ctx: AuthorizeContext) -> None:
    """`response_type` with `id_token` and no nonce → 900144 naming `nonce` (replay protection)."""
    if "id_token" in ctx.response_types and ctx.param("nonce") is None:
        raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="nonce")
