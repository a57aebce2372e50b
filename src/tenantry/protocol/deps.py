"""What the STS endpoints and grants are built from; `app.py` assembles it once."""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.config import Settings
from tenantry.passwords.authenticate import PasswordAuthenticator
from tenantry.protocol.client_auth import ClientAuthenticator
from tenantry.protocol.ports import StsStore
from tenantry.protocol.user_tokens import UserTokenIssuer
from tenantry.tokens.keys import KeyManager
from tenantry.tokens.mint import TokenMinter
from tenantry.tokens.subjects import PairwiseSubjects


@dataclass(frozen=True)
class StsDeps:
    """Shared collaborators of the protocol package (available as `request.app.state.sts`)."""

    settings: Settings
    clock: Clock
    store: StsStore
    master_key: MasterKey
    keys: KeyManager
    minter: TokenMinter
    subjects: PairwiseSubjects
    client_authenticator: ClientAuthenticator
    passwords: PasswordAuthenticator
    user_tokens: UserTokenIssuer

    @property
    def lifetimes(self) -> tuple[int, int]:
        """Access-token lifetime bounds in seconds."""
        return (self.settings.access_token_min_lifetime, self.settings.access_token_max_lifetime)
