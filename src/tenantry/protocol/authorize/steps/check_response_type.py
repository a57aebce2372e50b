"""`response_type` is one the app may use (OIDC Core §3; entra-reference §1.6)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext

SUPPORTED = (frozenset({"code"}), frozenset({"id_token"}), frozenset({"code", "id_token"}))


def check_response_type(ctx: AuthorizeContext) -> None:
    """Missing → 900144; `code`, `id_token` or `code id_token` only (access tokens from /authorize are not
    issued: 70005); an id_token needs the app's implicit id-token issuance enabled (700054)."""
    raw = ctx.param("response_type")
    if raw is None:
        raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="response_type")
    types = frozenset(raw.split())
    if types not in SUPPORTED:
        raise AadstsError.of(Aadsts.UnsupportedResponseType, response_type=raw)
    if "id_token" in types and not ctx.require_client().enable_id_token_issuance:
        raise AadstsError.of(Aadsts.ResponseTypeIdTokenNotEnabled)
    ctx.response_types = types
