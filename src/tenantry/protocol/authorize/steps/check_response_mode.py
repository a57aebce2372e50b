"""`response_mode` is query, fragment or form_post, and safe for the response type (OAuth 2.0 Multiple
Response Type Encoding Practices §5; Form Post Response Mode)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext

MODES = frozenset({"query", "fragment", "form_post"})


def default_mode(response_types: frozenset[str]) -> str:
    """query for a code alone; fragment as soon as a token is in the reply."""
    return "fragment" if "id_token" in response_types else "query"


def check_response_mode(ctx: AuthorizeContext) -> None:
    """Unknown mode → 70007; tokens are never put in a query string (70007 as well)."""
    mode = ctx.param("response_mode")
    if mode is None:
        ctx.response_mode = default_mode(ctx.response_types)
        return
    if mode not in MODES or (mode == "query" and "id_token" in ctx.response_types):
        raise AadstsError.of(Aadsts.UnsupportedResponseMode, response_mode=mode)
    ctx.response_mode = mode
