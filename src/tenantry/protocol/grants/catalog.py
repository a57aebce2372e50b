"""Every grant the token endpoint serves, built from the STS dependencies."""

from __future__ import annotations

from typing import Any

from tenantry.protocol.deps import StsDeps
from tenantry.protocol.grants.base import Grant
from tenantry.protocol.grants.client_credentials import ClientCredentialsGrant


def build_grants(deps: StsDeps) -> list[Grant[Any]]:
    """The registered grants; aliases (msal-node's `device_code`) are added by the registry's caller."""
    return [ClientCredentialsGrant(deps.client_authenticator, deps.minter, deps.clock, deps.lifetimes)]
