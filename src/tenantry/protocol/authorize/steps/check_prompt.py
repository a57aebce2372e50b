"""`prompt` is one of Entra's values (OIDC Core §3.1.2.1; entra-reference §1.6)."""

from __future__ import annotations

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext

PROMPTS = frozenset({"login", "none", "consent", "select_account"})


def check_prompt(ctx: AuthorizeContext) -> None:
    """One of login, none, consent, select_account; anything else (including combinations) → 90100."""
    prompt = ctx.param("prompt")
    if prompt is not None and prompt not in PROMPTS:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter, parameter="prompt", hint="Use login, none, consent or select_account."
        )
    ctx.prompt = prompt
