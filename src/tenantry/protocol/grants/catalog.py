"""Every grant the token endpoint serves, built from the STS dependencies."""

from __future__ import annotations

from typing import Any

from tenantry.protocol.deps import StsDeps
from tenantry.protocol.grants.authorization_code import AuthorizationCodeGrant
from tenantry.protocol.grants.base import Grant
from tenantry.protocol.grants.client_credentials import ClientCredentialsGrant
from tenantry.protocol.grants.device_code import DeviceCodeGrant, MsalNodeDeviceCodeGrant
from tenantry.protocol.grants.jwt_bearer import OnBehalfOfGrant
from tenantry.protocol.grants.password import PasswordGrant
from tenantry.protocol.grants.refresh_token import RefreshTokenGrant


def build_grants(deps: StsDeps) -> list[Grant[Any]]:
    """The registered grants; the device code grant is listed twice, under RFC 8628's URN and under the
    short `device_code` msal-node polls with (msal-compat §5)."""
    return [
        ClientCredentialsGrant(deps.client_authenticator, deps.minter, deps.clock, deps.lifetimes),
        AuthorizationCodeGrant(deps),
        RefreshTokenGrant(deps),
        PasswordGrant(deps),
        DeviceCodeGrant(deps),
        MsalNodeDeviceCodeGrant(deps),
        OnBehalfOfGrant(deps),
    ]
