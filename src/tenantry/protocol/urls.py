"""Endpoint URLs as discovery publishes them, built from the request's base URL."""

from __future__ import annotations

from dataclasses import dataclass


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
