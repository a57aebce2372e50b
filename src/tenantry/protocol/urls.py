"""Endpoint URLs as discovery publishes them, built from the server's public URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A Host header as RFC 9110 §7.2 allows it for us: a DNS name, IPv4 or bracketed IPv6, optional port.
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$")


def called_base_url(public_url: str, host: str) -> str | None:
    """The base URL a client reached this server under, from the request's Host header, with the public
    URL's scheme (behind a TLS-terminating proxy the request itself arrives as http); None for a malformed
    Host. Only for what must also accept the name a client was given (a client assertion's `aud`, instance
    discovery): issuers and published URLs always use the public URL."""
    if not _HOST.fullmatch(host):
        return None
    return f"{public_url.partition('://')[0]}://{host.lower()}"


@dataclass(frozen=True, slots=True)
class TenantUrls:
    """The v2.0 endpoint set for one tenant path segment."""

    base: str
    segment: str

    @property
    def authorize(self) -> str:
        """`/{tenant}/oauth2/v2.0/authorize`."""
        return f"{self.base}/{self.segment}/oauth2/v2.0/authorize"

    @property
    def token(self) -> str:
        """`/{tenant}/oauth2/v2.0/token`: fixed, azure-identity builds it without discovery."""
        return f"{self.base}/{self.segment}/oauth2/v2.0/token"

    @property
    def devicecode(self) -> str:
        """`/{tenant}/oauth2/v2.0/devicecode`."""
        return f"{self.base}/{self.segment}/oauth2/v2.0/devicecode"

    @property
    def logout(self) -> str:
        """`/{tenant}/oauth2/v2.0/logout`."""
        return f"{self.base}/{self.segment}/oauth2/v2.0/logout"

    @property
    def jwks(self) -> str:
        """`/{tenant}/discovery/v2.0/keys`."""
        return f"{self.base}/{self.segment}/discovery/v2.0/keys"

    @property
    def openid_configuration(self) -> str:
        """`/{tenant}/v2.0/.well-known/openid-configuration`."""
        return f"{self.base}/{self.segment}/v2.0/.well-known/openid-configuration"

    @property
    def kerberos(self) -> str:
        """`/{tenant}/kerberos`, listed in discovery like Entra's."""
        return f"{self.base}/{self.segment}/kerberos"
