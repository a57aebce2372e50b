"""JWT tools for tests: decode without trust, verify RS256 against a JWKS, and build client assertions."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from support.certs import ClientCertificate

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    stripped = text.strip().rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def _b64url_int(text: str) -> int:
    return int.from_bytes(b64url_decode(text), "big")


@dataclass(frozen=True, slots=True)
class DecodedJwt:
    """A compact JWS split into its parts."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def decode_unverified(token: str) -> DecodedJwt:
    """Split and decode a compact JWS without checking anything (for inspecting what a client sent)."""
    head, body, signature = token.split(".")
    return DecodedJwt(
        header=json.loads(b64url_decode(head)),
        claims=json.loads(b64url_decode(body)),
        signing_input=f"{head}.{body}".encode("ascii"),
        signature=b64url_decode(signature),
    )


def verify_rs256(token: str, jwks: Mapping[str, Any]) -> DecodedJwt:
    """Verify an RS256 token with the JWKS key whose `kid` the header names (RFC 7515 §4.1.4, RFC 7518 §3.3).

    Raises `AssertionError` when the kid is unknown and `cryptography.exceptions.InvalidSignature` on a bad signature.
    """
    decoded = decode_unverified(token)
    assert decoded.header.get("alg") == "RS256", decoded.header
    kid = decoded.header.get("kid")
    matches = [key for key in jwks["keys"] if key.get("kid") == kid]
    assert len(matches) == 1, f"the JWKS has {len(matches)} keys with kid {kid!r}"
    public_key = rsa.RSAPublicNumbers(_b64url_int(matches[0]["e"]), _b64url_int(matches[0]["n"])).public_key()
    public_key.verify(decoded.signature, decoded.signing_input, padding.PKCS1v15(), hashes.SHA256())
    return decoded


def make_client_assertion(
    cert: ClientCertificate,
    *,
    client_id: str,
    audience: str,
    jti: str | None = None,
    issued_at: float | None = None,
    lifetime: int = 600,
) -> str:
    """An RS256 client assertion with an `x5t` header, as RFC 7523 §3 and Entra's certificate credentials describe."""
    now = int(time.time() if issued_at is None else issued_at)
    header = {"alg": "RS256", "typ": "JWT", "x5t": cert.x5t}
    claims = {
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": jti or str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return jwt.encode(header, claims, RSAKey.import_key(cert.private_key_pem))
