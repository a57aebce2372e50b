"""Client assertions (RFC 7523 §3, RFC 7521 §5.2) signed with a registered certificate.

What MSAL and azure-identity send (shared/docs/msal-compat.md §2.2): RS256 with a SHA-1 `x5t`, or
PS256 (salt 32) with `x5t#S256`; thumbprints base64url *with* padding; float `exp`/`iat`; `aud` is the
token endpoint URL exactly as discovered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509

from tenantry.common.ids import b64url_decode
from tenantry.credentials.models import KeyCredential
from tenantry.errors import Aadsts, AadstsError
from tenantry.tokens.jws import CompactJws, JwsFormatError, parse_compact_jws, rsa_signature_verifies

JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "PS256")
_REQUIRED_CLAIMS = ("aud", "iss", "sub", "exp", "jti")


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    """A signature-checked assertion; its `jti` is recorded when the token is issued."""

    jti: str
    expires_at: datetime
    key_id: str
    # A token of an external issuer (workload identity federation): it may be presented again until it
    # expires, so its jti is not recorded (protocol/federated_assertion.py).
    federated: bool = False


def _bad_signature(reason: str, debug: str | None = None) -> AadstsError:
    return AadstsError.of(Aadsts.InvalidClientAssertionSignature, reason=reason, debug=debug or reason)


def parse_assertion(assertion: str) -> CompactJws:
    """Anything that is not a compact JWS with JSON objects (tokens/jws.py) is 50027."""
    try:
        return parse_compact_jws(assertion)
    except JwsFormatError as exc:
        raise AadstsError.of(Aadsts.InvalidJwtToken, hint="The client assertion is not a well-formed JWT.") from exc


def _find_key(header: dict[str, Any], keys: Sequence[KeyCredential]) -> KeyCredential:
    """Pick the certificate by `x5t#S256` or `x5t`, as Entra does; no thumbprint, no key."""
    candidates: list[tuple[str, bytes]] = []
    for name, attr in (("x5t#S256", "thumbprint_sha256"), ("x5t", "thumbprint_sha1")):
        value = header.get(name)
        if isinstance(value, str):
            try:
                candidates.append((attr, b64url_decode(value)))
            except ValueError:
                continue
    if not candidates:
        raise _bad_signature("The assertion header names no certificate thumbprint (x5t or x5t#S256).")
    for attr, thumbprint in candidates:
        for key in keys:
            if getattr(key, attr) == thumbprint:
                return key
    registered = ", ".join(key.key_id for key in keys) or "none"
    raise _bad_signature(
        "No certificate registered for the application has that thumbprint.",
        f"no registered certificate has the assertion's thumbprint; registered key ids: {registered}",
    )


def _check_signature(jws: CompactJws, key: KeyCredential, alg: str) -> None:
    if not rsa_signature_verifies(jws, x509.load_der_x509_certificate(key.cert_der).public_key(), alg):
        raise _bad_signature(
            "The signature does not verify with the registered certificate.",
            f"the signature does not verify with certificate key {key.key_id} ({alg})",
        )


def _timestamp(payload: dict[str, Any], name: str) -> float | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AadstsError.of(Aadsts.InvalidJwtToken, hint=f"The '{name}' claim must be a number.")
    return float(value)


@dataclass(frozen=True, slots=True)
class AssertionExpectations:
    """What the assertion must say: who it is from, the audiences we accept, and the time."""

    client_id: str
    audiences: frozenset[str]
    now: datetime
    skew: timedelta


def _check_claims(payload: dict[str, Any], expect: AssertionExpectations) -> datetime:
    for claim in _REQUIRED_CLAIMS:
        if claim not in payload:
            raise AadstsError.of(Aadsts.MissingRequiredField, field=claim)
    if payload["iss"] != expect.client_id or payload["sub"] != expect.client_id:
        raise AadstsError.of(
            Aadsts.AuthenticationFailed,
            hint="The assertion's 'iss' and 'sub' must be the client_id.",
            debug="client assertion: 'iss' or 'sub' is not the client_id",
        )
    audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
    if not any(isinstance(a, str) and a.lower() in expect.audiences for a in audiences):
        raise AadstsError.of(
            Aadsts.AuthenticationFailed,
            hint="The assertion's 'aud' must be this token endpoint's URL.",
            debug=f"client assertion: 'aud' is none of {', '.join(sorted(expect.audiences))}",
        )
    if not isinstance(payload["jti"], str) or not payload["jti"]:
        raise AadstsError.of(Aadsts.MissingRequiredField, field="jti")
    return _check_times(payload, expect)


def _check_times(payload: dict[str, Any], expect: AssertionExpectations) -> datetime:
    now, skew = expect.now.timestamp(), expect.skew.total_seconds()
    exp, nbf = _timestamp(payload, "exp"), _timestamp(payload, "nbf")
    assert exp is not None
    if now > exp + skew:
        when = datetime.fromtimestamp(exp, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        reason = f"The assertion expired at {when}."
        raise AadstsError.of(Aadsts.AssertionOutsideValidTimeRange, reason=reason, debug=f"client assertion: {reason}")
    if nbf is not None and nbf > now + skew:
        when = datetime.fromtimestamp(nbf, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        reason = f"The assertion is not valid before {when}."
        raise AadstsError.of(Aadsts.AssertionOutsideValidTimeRange, reason=reason, debug=f"client assertion: {reason}")
    return datetime.fromtimestamp(exp, UTC) + expect.skew


def verify_client_assertion(
    assertion: str, keys: Sequence[KeyCredential], expect: AssertionExpectations
) -> VerifiedAssertion:
    """Check structure, certificate, signature, then claims; the order Entra reports problems in."""
    jws = parse_assertion(assertion)
    alg = jws.header.get("alg")
    if alg not in ALGORITHMS:
        raise _bad_signature(f"The algorithm must be one of {', '.join(ALGORITHMS)}.")
    key = _find_key(jws.header, keys)
    if not key.is_active(expect.now):
        window = f"{key.start:%Y-%m-%dT%H:%M:%SZ} to {key.end:%Y-%m-%dT%H:%M:%SZ}"
        raise _bad_signature(
            "The certificate that signed the assertion has expired or is not yet valid.",
            f"certificate key {key.key_id} is valid from {window}",
        )
    _check_signature(jws, key, str(alg))
    expires_at = _check_claims(jws.claims, expect)
    return VerifiedAssertion(str(jws.claims["jti"]), expires_at, key.key_id)
