"""JWS compact serialisation of our tokens, signed RS256 with the active key.

The header and payload are plain JSON; the signature comes from `cryptography`, which releases the GIL
while signing, so token requests served from a thread pool use every core.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tenantry.common.ids import b64url
from tenantry.tokens.keys import KeyManager

_SEPARATORS = (",", ":")


class TokenMinter:
    """Signs claim sets; v1 tokens also carry `x5t` in the header, as Entra's do (§2.1)."""

    def __init__(self, keys: KeyManager) -> None:
        self._keys = keys
        self._headers: dict[tuple[str, int], str] = {}

    def _header(self, kid: str, version: int) -> str:
        """The encoded header, the same for every token of one key and version: built once."""
        encoded = self._headers.get((kid, version))
        if encoded is None:
            header: dict[str, str] = {"typ": "JWT", "alg": "RS256", "kid": kid}
            if version == 1:
                header["x5t"] = kid
            encoded = b64url(json.dumps(header, separators=_SEPARATORS).encode())
            self._headers[(kid, version)] = encoded
        return encoded

    def sign(self, claims: dict[str, Any], *, version: int) -> str:
        """Return the compact JWS of `claims`."""
        key = self._keys.signer()
        assert key.private_key is not None
        signing_input = (
            self._header(key.kid, version) + "." + b64url(json.dumps(claims, separators=_SEPARATORS).encode())
        )
        signature = key.private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)
