"""What the sign-in pages are built from: the sign-in service and the key CSRF tokens are derived from.

Built once by the composition root (`app.py`) and bound to the routes (`web.signin.routes.signin_routes`);
the pages use only what the sessions domain declares, never the protocol package.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.common.master_key import MasterKey
from tenantry.sessions.kerberos import SeamlessSignIn
from tenantry.sessions.signin import SignInService
from tenantry.signins.pages import PageSignIns


@dataclass(frozen=True)
class SignInPageDeps:
    """The page operations (over the store, clock and password checker) and the CSRF key."""

    service: SignInService
    csrf_key: MasterKey
    # Where the pages queue their sign-ins (None: not logged).
    sign_ins: PageSignIns | None = None
    # Seamless SSO's Kerberos step, tried after the username when the user's tenant has it (None: never).
    seamless: SeamlessSignIn | None = None
