"""JWS compact serialisation of our tokens, signed RS256 with the active key.

The header and payload are plain JSON; the signature comes from `cryptography`, which releases the GIL
while signing, so token requests served from a thread pool use every core.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
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


@dataclass(frozen=True, slots=True)
class PendingSignature:
    """A token whose RSA signature is still to be made; `placeholder` stands for it in the response."""

    placeholder: str
    key: rsa.RSAPrivateKey
    signing_input: str

    def complete(self) -> str:
        """Sign (releases the GIL: run it on a worker thread) and return the compact JWS."""
        signature = self.key.sign(self.signing_input.encode("ascii"), _PKCS1, _SHA256)
        return self.signing_input + "." + b64url(signature)


_deferred: ContextVar[list[PendingSignature] | None] = ContextVar("tenantry_deferred_signatures", default=None)


class DeferredSigning:
    """Inside this block `TokenMinter.sign` returns placeholders and collects the work, so that Python
    logic can run on the event loop and only the RSA operations go to worker threads. (A class, not a
    generator-based context manager: it runs on every token request.)"""

    __slots__ = ("_pending", "_token")

    def __enter__(self) -> list[PendingSignature]:
        self._pending: list[PendingSignature] = []
        self._token = _deferred.set(self._pending)
        return self._pending

    def __exit__(self, *_exc: object) -> None:
        _deferred.reset(self._token)


def fill_signatures(body: Mapping[str, Any], signed: Mapping[str, str]) -> dict[str, Any]:
    """Replace placeholders in a response body by the finished tokens."""
    return {k: signed.get(v, v) if isinstance(v, str) else v for k, v in body.items()}


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

    def sign(self, claims: dict[str, Any], *, version: int) -> str:
        """Return the compact JWS of `claims`."""
        key = self._keys.signer()
        assert key.private_key is not None
        signing_input = self._header(key.kid, version) + "." + b64url(compact_json(claims))
        deferred = _deferred.get()
        pending = PendingSignature(f"<pending-signature-{len(deferred or ())}>", key.private_key, signing_input)
        if deferred is None:
            return pending.complete()
        deferred.append(pending)
        return pending.placeholder
