"""What the `/authorize` pipeline, its resume step and its reply are built from; `app.py` assembles it once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenantry.common.clock import Clock
from tenantry.protocol.client_auth import ClientAuthenticator
from tenantry.protocol.ports import StsStore
from tenantry.sessions.service import SessionService
from tenantry.signins.pages import PageSignIns
from tenantry.tokens.mint import TokenMinter
from tenantry.tokens.subjects import PairwiseSubjects


@dataclass(frozen=True)
class AuthorizeDeps:
    """The collaborators of the interactive endpoints: storage, the clock, client lookup, and what mints
    an id token or a code (minter, pairwise subjects), and the SSO sessions. `new_sealed_secret` makes a
    new authenticator secret, sealed under the master key, for a conditional-access step-up to enrolment."""

    store: StsStore
    clock: Clock
    client_authenticator: ClientAuthenticator
    minter: TokenMinter
    subjects: PairwiseSubjects
    sessions: SessionService
    new_sealed_secret: Callable[[], bytes]
    page_sign_ins: PageSignIns | None = None  # logs conditional access's interruptions and blocks
