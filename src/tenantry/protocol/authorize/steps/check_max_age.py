"""`max_age` is a number of seconds (OIDC Core §3.1.2.1)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext


def check_max_age(ctx: AuthorizeContext) -> None:
    """A non-negative integer, else 90100; a session authenticated longer ago must sign in again."""
    raw = ctx.param("max_age")
    if raw is None:
        return
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="max_age", hint="Use a number of seconds.")
    ctx.max_age = int(raw)
