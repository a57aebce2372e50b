"""Client assertions from external issuers (workload identity federation; RFC 7523 §3 with Entra's rules).

An assertion whose `iss` is not the client's own id is a token of an external OpenID Connect issuer. It is
accepted when one federated identity credential of the application names exactly its `iss` and `sub`
(case-sensitive, as Entra compares since 2024) and holds one of its `aud` values, and when it is signed by
a key that issuer publishes and is within `exp`/`nbf` (with the clock skew). Entra's codes say which part
failed: no credential at all 70021, issuer 700211, subject 700213 (7002138 when only letter case differs),
audience 700212, time 700024, the issuer's endpoints 501661, the signature 700027.

The same external token may be presented again until it expires (azure-identity's
`WorkloadIdentityCredential` re-reads one token file): the `jti` replay rule is for certificate assertions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tenantry.credentials.federated import FederatedCredential
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.oidc_keys import OidcFetchError, OidcKeyCache
from tenantry.tokens.jws import CompactJws, rsa_signature_verifies

ALGORITHMS = ("RS256", "PS256")


def is_federated(jws: CompactJws, client_id: str) -> bool:
    """An assertion neither issued by nor about the client: a certificate assertion has `iss` = `sub` =
    client_id, so one that names the client in either is checked (and refused) as a certificate assertion."""
    issuer, subject = jws.claims.get("iss"), jws.claims.get("sub")
    return isinstance(issuer, str) and issuer != client_id and subject != client_id


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    values = aud if isinstance(aud, list) else [aud]
    return [a for a in values if isinstance(a, str)]


def match_credential(jws: CompactJws, credentials: Sequence[FederatedCredential]) -> FederatedCredential:
    """The credential trusting this token's issuer, subject and audience, or Entra's error for the first
    of the three that no credential matches."""
    claims = jws.claims
    for name in ("iss", "sub", "aud", "exp"):
        if name not in claims:
            raise AadstsError.of(Aadsts.MissingRequiredField, field=name)
    issuer, subject, audiences = str(claims["iss"]), str(claims["sub"]), _audiences(claims)
    said = {"issuer": issuer, "subject": subject, "audience": ", ".join(audiences)}
    if not credentials:
        raise AadstsError.of(Aadsts.NoMatchingFederatedIdentityRecord, **said)
    same_issuer = [c for c in credentials if c.issuer == issuer]
    if not same_issuer:
        raise AadstsError.of(Aadsts.NoMatchingFederatedIdentityRecordForIssuer, issuer=issuer)
    same_subject = [c for c in same_issuer if c.subject == subject]
    if not same_subject:
        if any(c.subject.lower() == subject.lower() for c in same_issuer):
            raise AadstsError.of(Aadsts.FederatedSubjectMatchesOnlyIgnoringCase, subject=subject)
        raise AadstsError.of(Aadsts.NoMatchingFederatedIdentityRecordForSubject, issuer=issuer, subject=subject)
    for credential in same_subject:
        if any(a in credential.audiences for a in audiences):
            return credential
    raise AadstsError.of(Aadsts.NoMatchingFederatedIdentityRecordForAudience, audience=said["audience"])


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AadstsError.of(Aadsts.InvalidJwtToken, hint=f"The '{name}' claim must be a number.")
    return float(value)


def check_times(jws: CompactJws, now: datetime, skew: timedelta) -> datetime:
    """`exp` and `nbf` with the skew (700024); the expiry, for the operator's log."""
    exp, nbf = _number(jws.claims, "exp"), _number(jws.claims, "nbf")
    assert exp is not None
    moment, slack = now.timestamp(), skew.total_seconds()
    if moment > exp + slack:
        reason = f"It expired at {datetime.fromtimestamp(exp, UTC):%Y-%m-%d %H:%M:%SZ}."
        raise AadstsError.of(Aadsts.ClientAssertionNotWithinValidTimeRange, reason=reason, debug=reason)
    if nbf is not None and nbf > moment + slack:
        reason = f"It is not valid before {datetime.fromtimestamp(nbf, UTC):%Y-%m-%d %H:%M:%SZ}."
        raise AadstsError.of(Aadsts.ClientAssertionNotWithinValidTimeRange, reason=reason, debug=reason)
    return datetime.fromtimestamp(exp, UTC)


class FederatedAssertionVerifier:
    """Matches a credential, then checks the issuer's signature (keys from `OidcKeyCache`) and the times."""

    def __init__(self, keys: OidcKeyCache) -> None:
        self._keys = keys

    def verify(
        self, jws: CompactJws, credentials: Sequence[FederatedCredential], now: datetime, skew: timedelta
    ) -> tuple[FederatedCredential, datetime]:
        """The matching credential and the token's expiry, or the AADSTS error that says what failed."""
        credential = match_credential(jws, credentials)
        alg = jws.header.get("alg")
        if alg not in ALGORITHMS:
            raise AadstsError.of(
                Aadsts.InvalidClientAssertionSignature, reason=f"The algorithm must be one of {', '.join(ALGORITHMS)}."
            )
        kid = jws.header.get("kid")
        try:
            key = self._keys.key(credential.issuer, kid if isinstance(kid, str) else None)
        except OidcFetchError as exc:
            raise AadstsError.of(Aadsts.ExternalOidcEndpointRequestFailed, reason="", debug=str(exc)) from exc
        if key is None or not rsa_signature_verifies(jws, key, str(alg)):
            reason = "The external issuer publishes no key that verifies this signature."
            debug = f"federated credential {credential.name}: kid {kid!r} of {credential.issuer} does not verify"
            raise AadstsError.of(Aadsts.InvalidClientAssertionSignature, reason=reason, debug=debug)
        return credential, check_times(jws, now, skew)
