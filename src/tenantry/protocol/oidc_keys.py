"""External issuers' signing keys, for workload identity federation (OIDC Discovery 1.0 §4, RFC 7517).

`{issuer}/.well-known/openid-configuration` is fetched over HTTPS (the system's trust store, which
`SSL_CERT_FILE` replaces for OpenSSL), its `issuer` must equal the issuer asked for (§4.3), and its
`jwks_uri` (HTTPS too) gives the keys. Both fetches have a timeout and a size cap and follow no redirect.
Keys are cached per issuer for `cache_seconds`; a `kid` the cache does not know triggers one refresh (an
issuer rotating its keys), at most once per `refresh_floor` seconds per issuer, so tokens naming made-up
kids cannot make this server hammer an issuer. Only issuers some federated credential names are ever
fetched: the caller matches the credential first.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from tenantry.common.ids import b64url_decode

MAX_DOCUMENT_BYTES = 256 * 1024
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


class OidcFetchError(Exception):
    """The issuer's discovery document or key set could not be had; the message says why (no secrets)."""


Fetch = Callable[[str], Mapping[str, Any]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the discovery document and the keys must be where the issuer says."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def https_json_fetcher(timeout: float) -> Fetch:
    """GET a JSON object over HTTPS with certificate checks, a timeout, no redirects and a size cap."""
    context = ssl.create_default_context()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())

    def fetch(url: str) -> Mapping[str, Any]:
        if not url.startswith("https://"):
            raise OidcFetchError(f"{url} is not an https URL")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - https only
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(MAX_DOCUMENT_BYTES + 1)
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, TLS failures
            raise OidcFetchError(f"GET {url} failed: {type(exc).__name__}") from exc
        if len(body) > MAX_DOCUMENT_BYTES:
            raise OidcFetchError(f"GET {url} answered more than {MAX_DOCUMENT_BYTES} bytes")
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise OidcFetchError(f"GET {url} did not answer JSON") from exc
        if not isinstance(document, dict):
            raise OidcFetchError(f"GET {url} did not answer a JSON object")
        return document

    return fetch


def rsa_public_key(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey | None:
    """An RSA signing key of a JWK set; None for any other key type or use (RFC 7518 §6.3.1)."""
    if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
        return None
    try:
        n = int.from_bytes(b64url_decode(str(jwk["n"])), "big")
        e = int.from_bytes(b64url_decode(str(jwk["e"])), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    except (KeyError, ValueError):
        return None


@dataclass
class _Entry:
    keys: dict[str, rsa.RSAPublicKey]
    fetched_at: float
    failed_at: float = float("-inf")
    failure: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class OidcKeyCache:
    """Signing keys by issuer and kid, fetched on demand and cached; thread-safe (token requests run on
    worker threads)."""

    def __init__(
        self, fetch: Fetch, cache_seconds: float, refresh_floor: float = 60.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._ttl = cache_seconds
        self._floor = refresh_floor
        self._now = now
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def key(self, issuer: str, kid: str | None) -> rsa.RSAPublicKey | None:
        """The issuer's key `kid` (the only RSA key when the token names none), refreshing as described."""
        entry = self._entry(issuer)
        with entry.lock:
            age = self._now() - entry.fetched_at
            found = _pick(entry.keys, kid)
            if (found is None and age >= self._floor) or age >= self._ttl:
                self._refresh(issuer, entry)
                found = _pick(entry.keys, kid)
            return found

    def _refresh(self, issuer: str, entry: _Entry) -> None:
        """Fetch again; a failure is remembered for the refresh floor, so an unreachable issuer costs one
        timeout per floor, not one per token request."""
        if self._now() - entry.failed_at < self._floor:
            raise OidcFetchError(f"{entry.failure} (not retried for {self._floor:.0f} s)")
        try:
            entry.keys, entry.fetched_at = self._load(issuer), self._now()
        except OidcFetchError as exc:
            entry.failed_at, entry.failure = self._now(), str(exc)
            raise

    def _entry(self, issuer: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(issuer)
            if entry is None:
                entry = self._entries[issuer] = _Entry({}, float("-inf"))
            return entry

    def _load(self, issuer: str) -> dict[str, rsa.RSAPublicKey]:
        discovery = self._fetch(issuer.rstrip("/") + DISCOVERY_SUFFIX)
        if discovery.get("issuer") != issuer:
            raise OidcFetchError(f"the discovery document names issuer {discovery.get('issuer')!r}, not {issuer!r}")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise OidcFetchError("the discovery document has no jwks_uri")
        keys = self._fetch(jwks_uri).get("keys")
        if not isinstance(keys, list):
            raise OidcFetchError(f"{jwks_uri} has no 'keys' list")
        loaded = {str(k.get("kid", "")): rsa_public_key(k) for k in keys if isinstance(k, dict)}
        return {kid: key for kid, key in loaded.items() if key is not None}


def _pick(keys: Mapping[str, rsa.RSAPublicKey], kid: str | None) -> rsa.RSAPublicKey | None:
    if kid is not None:
        return keys.get(kid)
    return next(iter(keys.values())) if len(keys) == 1 else None
