"""The `proof` of `addKey` / `removeKey` (entra-reference §4.3): a JWT signed with the private key of one
of the application's currently valid certificates, so only a holder of a current key can roll keys.

Claims: `aud` `00000002-0000-0000-c000-000000000000`, `iss` the application's object id, `nbf`, and
`exp` at most ten minutes after `nbf`; the signature is RS256 (or PS256) by a valid certificate's key
(the one `x5t` names, when the header names one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from tenantry.common.ids import b64url
from tenantry.credentials.models import KeyCredential
from tenantry.tokens.jws import CompactJws, JwsFormatError, parse_compact_jws, rsa_signature_verifies

PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000"
MAX_PROOF_LIFETIME = timedelta(minutes=10)


class ProofError(ValueError):
    """The proof is missing, malformed, or not signed by a current key of the application."""


def _verifies(cert: KeyCredential, alg: str, jws: CompactJws) -> bool:
    return rsa_signature_verifies(jws, x509.load_der_x509_certificate(cert.cert_der).public_key(), alg)


def _check_signature(jws: CompactJws, certs: list[KeyCredential]) -> None:
    alg = jws.header.get("alg")
    if alg not in ("RS256", "PS256"):
        raise ProofError("The proof must be signed with RS256 or PS256.")
    x5t = jws.header.get("x5t")
    if isinstance(x5t, str):
        certs = [c for c in certs if b64url(c.thumbprint_sha1) == x5t.rstrip("=")]
    if not any(_verifies(c, str(alg), jws) for c in certs):
        raise ProofError("The proof is not signed by a currently valid certificate of the application.")


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProofError(f"The proof has no numeric '{name}' claim.")
    return float(value)


def _check_claims(claims: Mapping[str, Any], application_id: str, now: datetime, skew: timedelta) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if PROOF_AUDIENCE not in audiences:
        raise ProofError(f"The proof's audience must be '{PROOF_AUDIENCE}'.")
    if str(claims.get("iss", "")).lower() != application_id:
        raise ProofError("The proof's issuer must be the application's object id.")
    nbf, exp = _number(claims, "nbf"), _number(claims, "exp")
    if exp - nbf > MAX_PROOF_LIFETIME.total_seconds():
        raise ProofError("The proof may be valid for at most 10 minutes (exp - nbf).")
    stamp, tolerance = now.timestamp(), skew.total_seconds()
    if nbf > stamp + tolerance or exp < stamp - tolerance:
        raise ProofError("The proof is not valid at this time.")


def check_proof(
    proof: str | None, certs: Iterable[KeyCredential], application_id: str, now: datetime, skew: timedelta
) -> None:
    """Raise `ProofError` unless `proof` is a current proof of possession for the application."""
    if not proof:
        raise ProofError("A proof signed by a currently valid certificate of the application is required.")
    try:
        jws = parse_compact_jws(proof.strip())
    except JwsFormatError as exc:
        raise ProofError("The proof is not a well-formed JWT.") from exc
    _check_signature(jws, list(certs))
    _check_claims(jws.claims, application_id, now, skew)
