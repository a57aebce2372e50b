"""Workload identity federation without HTTP: which credential a token matches (and Entra's code when none
does), the time window, and the issuer key cache's refresh rules (TTL, unknown kid, refresh floor)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tenantry.credentials.federated import FederatedCredential
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.federated_assertion import check_times, is_federated, match_credential
from tenantry.protocol.oidc_keys import OidcFetchError, OidcKeyCache, rsa_public_key
from tenantry.tokens.jws import CompactJws

ISSUER = "https://issuer.example"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def jws(**claims: Any) -> CompactJws:
    """A parsed token with these claims (signature irrelevant here)."""
    base = {"iss": ISSUER, "sub": "repo:o/r", "aud": "api://AzureADTokenExchange", "exp": NOW.timestamp() + 600}
    return CompactJws({"alg": "RS256", "kid": "k"}, {**base, **claims}, b"", b"")


def credential(**fields: Any) -> FederatedCredential:
    """A federated credential trusting ISSUER for repo:o/r."""
    values: dict[str, Any] = {
        "id": "c1",
        "tenant_id": "t",
        "application_id": "a",
        "name": "main",
        "issuer": ISSUER,
        "subject": "repo:o/r",
        "audiences": ("api://AzureADTokenExchange",),
        "description": "",
        "created_at": NOW,
    }
    return FederatedCredential(**{**values, **fields})


def code_of(token: CompactJws, credentials: list[FederatedCredential]) -> int:
    with pytest.raises(AadstsError) as caught:
        match_credential(token, credentials)
    return caught.value.code


def test_matching_and_entra_codes() -> None:
    """The first of issuer, subject (case), audience that nothing matches names the code."""
    trusted = [credential()]
    assert match_credential(jws(), trusted).name == "main"
    assert match_credential(jws(aud=["x", "api://AzureADTokenExchange"]), trusted).name == "main"
    assert code_of(jws(), []) == Aadsts.NoMatchingFederatedIdentityRecord
    assert code_of(jws(iss="https://other.example"), trusted) == Aadsts.NoMatchingFederatedIdentityRecordForIssuer
    assert code_of(jws(iss=ISSUER + "/"), trusted) == Aadsts.NoMatchingFederatedIdentityRecordForIssuer
    assert code_of(jws(sub="repo:o/x"), trusted) == Aadsts.NoMatchingFederatedIdentityRecordForSubject
    assert code_of(jws(sub="REPO:O/R"), trusted) == Aadsts.FederatedSubjectMatchesOnlyIgnoringCase
    assert code_of(jws(aud="api://other"), trusted) == Aadsts.NoMatchingFederatedIdentityRecordForAudience
    assert code_of(CompactJws({}, {"iss": ISSUER}, b"", b""), trusted) == Aadsts.MissingRequiredField


def test_certificate_assertions_are_not_federated() -> None:
    """`iss` or `sub` naming the client keeps an assertion on the certificate path."""
    assert is_federated(jws(), "client")
    assert not is_federated(jws(iss="client"), "client")
    assert not is_federated(jws(sub="client"), "client")


def test_time_window_with_skew() -> None:
    """exp and nbf are checked with the skew: 700024 outside."""
    skew = timedelta(minutes=5)
    assert check_times(jws(exp=NOW.timestamp() - 60), NOW, skew) <= NOW
    for claims in ({"exp": NOW.timestamp() - 301}, {"nbf": NOW.timestamp() + 301}):
        with pytest.raises(AadstsError) as caught:
            check_times(jws(**claims), NOW, skew)
        assert caught.value.code == Aadsts.ClientAssertionNotWithinValidTimeRange


def jwk(kid: str) -> dict[str, str]:
    """A fresh RSA public key as a JWK."""
    numbers = rsa.generate_private_key(65537, 2048).public_key().public_numbers()

    def encode(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {"kty": "RSA", "kid": kid, "n": encode(numbers.n), "e": encode(numbers.e)}


class FakeIssuer:
    """Serves discovery and keys from memory, counting fetches."""

    def __init__(self) -> None:
        self.keys = [jwk("k1")]
        self.fetches: list[str] = []
        self.issuer = ISSUER

    def __call__(self, url: str) -> Mapping[str, Any]:
        self.fetches.append(url)
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return {"issuer": self.issuer, "jwks_uri": f"{ISSUER}/keys"}
        if url == f"{ISSUER}/keys":
            return {"keys": self.keys}
        raise OidcFetchError(url)


def test_key_cache_refreshes_on_unknown_kid_no_more_than_the_floor_allows() -> None:
    """Cached for the TTL; an unknown kid refetches once the floor has passed; the TTL refetches anyway."""
    issuer, clock = FakeIssuer(), [0.0]
    cache = OidcKeyCache(issuer, cache_seconds=3600, refresh_floor=60, now=lambda: clock[0])
    assert cache.key(ISSUER, "k1") is not None and len(issuer.fetches) == 2
    assert cache.key(ISSUER, "k1") is not None and len(issuer.fetches) == 2
    issuer.keys.append(jwk("k2"))
    clock[0] = 30
    assert cache.key(ISSUER, "k2") is None and len(issuer.fetches) == 2  # within the floor: no fetch
    clock[0] = 61
    assert cache.key(ISSUER, "k2") is not None and len(issuer.fetches) == 4
    clock[0] = 100
    assert cache.key(ISSUER, "made-up") is None and len(issuer.fetches) == 4
    clock[0] = 4000
    assert cache.key(ISSUER, "k1") is not None and len(issuer.fetches) == 6


def test_discovery_must_name_the_same_issuer() -> None:
    """OIDC Discovery §4.3: a document naming another issuer is refused."""
    issuer = FakeIssuer()
    issuer.issuer = "https://evil.example"
    with pytest.raises(OidcFetchError):
        OidcKeyCache(issuer, cache_seconds=60).key(ISSUER, "k1")


def test_only_rsa_signing_keys_are_used() -> None:
    """EC keys and encryption keys are ignored."""
    assert rsa_public_key({"kty": "EC", "crv": "P-256", "x": "", "y": ""}) is None
    assert rsa_public_key({**jwk("k"), "use": "enc"}) is None
    assert rsa_public_key({"kty": "RSA", "n": "!!", "e": "AQAB"}) is None


def test_a_failing_issuer_is_not_asked_again_within_the_floor() -> None:
    """An unreachable issuer: one fetch, then the remembered failure until the floor has passed."""
    issuer, clock = FakeIssuer(), [0.0]
    issuer.issuer = "https://elsewhere.example"  # every load fails
    cache = OidcKeyCache(issuer, cache_seconds=3600, refresh_floor=60, now=lambda: clock[0])
    for _ in range(3):
        with pytest.raises(OidcFetchError):
            cache.key(ISSUER, "k1")
    assert len(issuer.fetches) == 1
    clock[0] = 61
    issuer.issuer = ISSUER
    assert cache.key(ISSUER, "k1") is not None and len(issuer.fetches) == 3
