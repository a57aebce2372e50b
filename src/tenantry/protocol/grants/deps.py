"""What each grant is built from: narrow, typed, and assembled once by the composition root (`app.py`).

Every grant that signs a user in authenticates the client, reads the clock and mints through the user-token
issuer (`UserGrantDeps`); each adds only what its own rule needs: the store for grants that must commit a
write an error answer cannot roll back (a burnt or replayed code), the password checker for ROPC, the
published keys for on-behalf-of's incoming token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from tenantry.common.clock import Clock
from tenantry.passwords.authenticate import PasswordAuthenticator
from tenantry.protocol.client_auth import ClientAuthenticator
from tenantry.protocol.ports import StsStore
from tenantry.protocol.user_tokens import UserTokenIssuer
from tenantry.tokens.keys import ActiveKey


@dataclass(frozen=True, slots=True)
class UserGrantDeps:
    """Shared by every grant that issues user tokens (refresh token uses only these)."""

    client_authenticator: ClientAuthenticator
    clock: Clock
    user_tokens: UserTokenIssuer


@dataclass(frozen=True, slots=True)
class StoredCodeGrantDeps(UserGrantDeps):
    """Authorization code and device code: a failed or replayed redemption commits its own write."""

    store: StsStore


@dataclass(frozen=True, slots=True)
class PasswordGrantDeps(UserGrantDeps):
    """ROPC checks the user's password."""

    passwords: PasswordAuthenticator


@dataclass(frozen=True, slots=True)
class OnBehalfOfGrantDeps(UserGrantDeps):
    """On-behalf-of verifies the incoming access token against our published keys."""

    published_keys: Callable[[], Sequence[ActiveKey]]
    clock_skew: timedelta
