"""What the STS endpoints are built from: one typed object, assembled once by the composition root (`app.py`)
and handed to `protocol.routes.build_routes`, as `GraphDeps` is to the Graph API. No endpoint looks anything
up on the application object at request time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from anyio import CapacityLimiter

from tenantry.common.clock import Clock
from tenantry.protocol.authorize.service import AuthorizeService
from tenantry.protocol.client_auth import ClientAuthenticator
from tenantry.protocol.ports import StsStore
from tenantry.protocol.sign_in_events import TokenSignIns
from tenantry.protocol.token_service import TokenService
from tenantry.sessions.service import SessionService
from tenantry.tokens.keys import ActiveKey
from tenantry.tokens.signing_pool import SigningPool
from tenantry.tokens.subjects import PairwiseSubjects


@dataclass(frozen=True)
class ProtocolDeps:
    """The STS endpoints' collaborators: storage and the clock (discovery, user realm, device code, logout),
    the published keys (JWKS, userinfo), client authentication (device code), the `/authorize` service and
    the token endpoint's service, signing pool and worker-thread limit."""

    max_body_bytes: int
    store: StsStore
    clock: Clock
    published_keys: Callable[[], Sequence[ActiveKey]]
    clock_skew: timedelta
    subjects: PairwiseSubjects
    client_authenticator: ClientAuthenticator
    sessions: SessionService
    authorize: AuthorizeService
    token_service: TokenService
    signing_pool: SigningPool
    token_threads: CapacityLimiter
    # Where the token endpoint queues its sign-ins (None: not logged, as in tests that build deps by hand).
    sign_ins: TokenSignIns | None = None
