"""PKCE at the token endpoint (RFC 7636 §4.5–4.6): the `code_verifier` must reproduce the stored challenge.

Codes chosen from the catalogue:
- verifier missing while the code has a challenge → 501481 (CodeVerifierMismatch, invalid_grant). Entra
  answers a missing verifier with its "does not match" code (AADSTS50148, observed), whose catalogue
  equivalent is 501481;
- verifier not 43–128 characters of the unreserved set (RFC 7636 §4.1) → 501491 (invalid size);
- verifier that does not match (S256 or plain) → 501481;
- verifier sent for a code issued without a challenge → 501481: RFC 9700 §2.1.1 has the server refuse
  it, so a PKCE downgrade cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from tenantry.common.ids import b64url
from tenantry.errors import Aadsts, AadstsError
from tenantry.tokens.models import AuthorizationCode

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def challenge_of(verifier: str, method: str) -> str:
    """`BASE64URL(SHA256(verifier))` for S256; the verifier itself for plain (RFC 7636 §4.2)."""
    if method == "S256":
        return b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier


def check_code_verifier(code: AuthorizationCode, verifier: str | None) -> None:
    """Raise unless `verifier` proves possession of the code's challenge (or both are absent)."""
    if code.code_challenge is None:
        if verifier is not None:
            raise AadstsError.of(
                Aadsts.CodeVerifierMismatch,
                hint="The code was issued without a code_challenge, so no code_verifier may be sent.",
            )
        return
    if verifier is None:
        raise AadstsError.of(Aadsts.CodeVerifierMismatch, hint="The request has no code_verifier.")
    if not _VERIFIER.fullmatch(verifier):
        raise AadstsError.of(
            Aadsts.InvalidCodeChallengeMethodInvalidSize,
            hint="A code_verifier is 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'.",
        )
    computed = challenge_of(verifier, code.code_challenge_method or "plain")
    if not hmac.compare_digest(computed.encode("ascii"), code.code_challenge.encode("utf-8")):
        raise AadstsError.of(Aadsts.CodeVerifierMismatch)
