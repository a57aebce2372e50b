"""What the sign-in pages take from the application: the sign-in service and the master key (for CSRF).

The STS's dependencies (`app.state.sts`) and the store (`app.state.store`) are set by the composition
root; the pages use only the parts the sessions domain declares (`SignInStore`), never the protocol.
"""

from __future__ import annotations

from starlette.requests import Request

from tenantry.common.master_key import MasterKey
from tenantry.sessions.signin import SignInService


def signin_service(request: Request) -> SignInService:
    """The page operations over the app's store, clock and password checker."""
    sts = request.app.state.sts
    return SignInService(request.app.state.store, sts.clock, sts.passwords)


def master_key(request: Request) -> MasterKey:
    """The key CSRF tokens are derived from."""
    key: MasterKey = request.app.state.sts.master_key
    return key
