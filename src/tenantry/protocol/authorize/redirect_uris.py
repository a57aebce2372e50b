"""Matching a request's redirect URI against the app's registration (RFC 6749 §3.1.2.3, RFC 8252 §7.3).

Entra compares exactly, per platform (web, spa, public client): scheme, host, port, path, query and a
trailing slash all count (entra-reference T50011). The one exception is the native-app loopback rule:
a public-client URI registered as `http://localhost[/path]` (or 127.0.0.1 / [::1]) matches the same URI
on any port, because a desktop app listens on whatever port is free.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from tenantry.apps.models import Application

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _split(uri: str) -> SplitResult | None:
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    return parts


def is_loopback_match(registered: str, requested: str) -> bool:
    """RFC 8252 §7.3: same http loopback host, path and query; the port may differ."""
    want, got = _split(registered), _split(requested)
    if want is None or got is None or want.scheme != "http" or got.scheme != "http":
        return False
    if want.hostname not in LOOPBACK_HOSTS or want.hostname != got.hostname:
        return False
    return (want.path or "/") == (got.path or "/") and want.query == got.query and not got.fragment


def platforms(app: Application) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The app's redirect URIs by platform, in the order they are matched."""
    return (("web", app.web_redirect_uris), ("spa", app.spa_redirect_uris), ("public", app.public_client_redirect_uris))


def match_redirect_uri(app: Application, uri: str) -> str | None:
    """The platform `uri` is registered under, or None (AADSTS50011)."""
    for platform, registered in platforms(app):
        if uri in registered:
            return platform
    if any(is_loopback_match(registered, uri) for registered in app.public_client_redirect_uris):
        return "public"
    return None


def registered_uris(app: Application) -> tuple[str, ...]:
    """Every redirect URI of every platform."""
    return tuple(uri for _, uris in platforms(app) for uri in uris)
