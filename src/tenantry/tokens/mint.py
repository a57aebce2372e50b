"""JWS compact serialisation of our tokens, signed RS256 with the active key.

The header and payload are plain JSON; the signature comes from `cryptography`, which releases the GIL
while signing, so token requests served from a thread pool use every core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tenantry.common.compact_json import compact_json
from tenantry.common.ids import b64url
from tenantry.tokens.keys import KeyManager

# RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3); both objects are stateless, so shared.
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


@dataclass(frozen=True, slots=True, eq=False)
class UnsignedToken:
    """A minted token whose RSA signature is still to be made: the token endpoint makes the claims on the
    event loop and sends only this object to a signing thread.

    It is deliberately not a string: it has no text, `str()` refuses it, JSON encoding refuses it, and it
    cannot be hashed or compared, so it cannot reach a response body, a log or storage before `sign`."""

    key: rsa.RSAPrivateKey
    signing_input: str

    def sign(self) -> str:
        """Sign (releases the GIL: run it on a worker thread) and return the compact JWS."""
        signature = self.key.sign(self.signing_input.encode("ascii"), _PKCS1, _SHA256)
        return self.signing_input + "." + b64url(signature)

    def __str__(self) -> str:
        raise TypeError("an unsigned token has no text: sign it first")

    def __hash__(self) -> int:
        raise TypeError("an unsigned token cannot be hashed: sign it first")


@dataclass(frozen=True, slots=True)
class UnsignedTokenResponse:
    """A token response (RFC 6749 §5.1) whose access token awaits its signature."""

    access_token: UnsignedToken
    fields: Mapping[str, str | int]

    def signed(self, access_token: str) -> dict[str, Any]:
        """The response body with the signed token in place."""
        return {**self.fields, "access_token": access_token}


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
            encoded = b64url(compact_json(header))
            self._headers[(kid, version)] = encoded
        return encoded

    def mint(self, claims: dict[str, Any], *, version: int) -> UnsignedToken:
        """The header and payload of `claims`, with the active key that will sign them."""
        key = self._keys.signer()
        assert key.private_key is not None
        return UnsignedToken(key.private_key, self._header(key.kid, version) + "." + b64url(compact_json(claims)))

    def sign(self, claims: dict[str, Any], *, version: int) -> str:
        """Return the compact JWS of `claims`, signed here and now."""
        return self.mint(claims, version=version).sign()
