"""Every grant the token endpoint serves, each built from the narrow dependencies of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from tenantry.passwords.authenticate import PasswordAuthenticator
from tenantry.protocol.grants.authorization_code import AuthorizationCodeGrant
from tenantry.protocol.grants.base import Grant
from tenantry.protocol.grants.client_credentials import ClientCredentialsGrant
from tenantry.protocol.grants.deps import OnBehalfOfGrantDeps, PasswordGrantDeps, StoredCodeGrantDeps, UserGrantDeps
from tenantry.protocol.grants.device_code import DeviceCodeGrant, MsalNodeDeviceCodeGrant
from tenantry.protocol.grants.jwt_bearer import OnBehalfOfGrant
from tenantry.protocol.grants.password import PasswordGrant
from tenantry.protocol.grants.refresh_token import RefreshTokenGrant
from tenantry.protocol.grants.registry import GrantRegistry
from tenantry.tokens.keys import ActiveKey
from tenantry.tokens.mint import TokenMinter


def build_registry(
    base: StoredCodeGrantDeps,
    passwords: PasswordAuthenticator,
    published_keys: Callable[[], Sequence[ActiveKey]],
    clock_skew: timedelta,
    minter: TokenMinter,
    lifetimes: tuple[int, int],
) -> GrantRegistry:
    """Every grant the token endpoint serves. Client credentials is the one inline grant (it runs on the
    event loop); the device code grant is listed twice, under RFC 8628's URN and under the short
    `device_code` msal-node polls with (msal-compat §5)."""
    user = UserGrantDeps(base.client_authenticator, base.clock, base.user_tokens)
    password = PasswordGrantDeps(user.client_authenticator, user.clock, user.user_tokens, passwords)
    on_behalf_of = OnBehalfOfGrantDeps(
        user.client_authenticator, user.clock, user.user_tokens, published_keys, clock_skew
    )
    threaded: list[Grant[Any]] = [
        AuthorizationCodeGrant(base),
        RefreshTokenGrant(user),
        PasswordGrant(password),
        DeviceCodeGrant(base),
        MsalNodeDeviceCodeGrant(base),
        OnBehalfOfGrant(on_behalf_of),
    ]
    inline = ClientCredentialsGrant(base.client_authenticator, minter, base.clock, lifetimes)
    return GrantRegistry(threaded, [inline])
