"""PKCE (RFC 7636 §4.2–4.3): required for public clients and SPAs, and well-formed when sent."""

from __future__ import annotations

import re

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.context import AuthorizeContext

METHODS = frozenset({"plain", "S256"})
_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]*$")


def check_pkce(ctx: AuthorizeContext) -> None:
    """A code for a public client or SPA needs `code_challenge` (50147); its length is 43–128 unreserved
    characters (501491); the method is `plain` (the default) or `S256`."""
    challenge = ctx.param("code_challenge")
    method = ctx.param("code_challenge_method")
    if challenge is None:
        if "code" in ctx.response_types and ctx.is_public:
            raise AadstsError.of(Aadsts.MissingCodeChallenge)
        return
    if not _CHALLENGE.fullmatch(challenge):
        reason = (
            "43 to 128 characters" if _UNRESERVED.fullmatch(challenge) else "only A–Z, a–z, 0–9, '-', '.', '_', '~'"
        )
        raise AadstsError.of(Aadsts.InvalidCodeChallengeMethodInvalidSize).with_hint(f"Use {reason}.")
    if method is not None and method not in METHODS:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter, parameter="code_challenge_method", hint="Use S256 or plain."
        )
    ctx.code_challenge, ctx.code_challenge_method = challenge, method or "plain"
