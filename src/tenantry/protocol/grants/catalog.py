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


def build_grants(
    base: StoredCodeGrantDeps,
    passwords: PasswordAuthenticator,
    published_keys: Callable[[], Sequence[ActiveKey]],
    clock_skew: timedelta,
    minter: TokenMinter,
    lifetimes: tuple[int, int],
) -> list[Grant[Any]]:
    """The grants that run on worker threads; the device code grant is listed twice, under RFC 8628's URN and under the
    short `device_code` msal-node polls with (msal-compat §5)."""
    user = UserGrantDeps(base.client_authenticator, base.clock, base.user_tokens)
    return [
        AuthorizationCodeGrant(base),
        RefreshTokenGrant(user),
        PasswordGrant(PasswordGrantDeps(user.client_authenticator, user.clock, user.user_tokens, passwords)),
        DeviceCodeGrant(base),
        MsalNodeDeviceCodeGrant(base),
        OnBehalfOfGrant(
            OnBehalfOfGrantDeps(user.client_authenticator, user.clock, user.user_tokens, published_keys, clock_skew)
        ),
    ]


def build_registry(
    base: StoredCodeGrantDeps,
    passwords: PasswordAuthenticator,
    published_keys: Callable[[], Sequence[ActiveKey]],
    clock_skew: timedelta,
    minter: TokenMinter,
    lifetimes: tuple[int, int],
) -> GrantRegistry:
    """Every grant; client credentials, the one inline grant, under its typed inline slot too."""
    inline = ClientCredentialsGrant(base.client_authenticator, minter, base.clock, lifetimes)
    return GrantRegistry(build_grants(base, passwords, published_keys, clock_skew, minter, lifetimes), [inline])
