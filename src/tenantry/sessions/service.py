"""SSO sessions and sign-in flows: create, find, validate, revoke.

A session is the server side of the `ESTSAUTH` / `ESTSAUTHPERSISTENT` cookie (entra-reference §6.7):
the cookie holds a random token, the store only its SHA-256. A session stops being usable when it is
revoked (sign-out), idle past its inactivity limit (24 h, or 90 days after "Stay signed in? Yes"), or
older than the user's last password change (AADSTS50132) or an administrator's revocation of sign-in
sessions (AADSTS50133); a fresh sign-in is then required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.directory.repository import UserRepository
from tenantry.errors import Aadsts, AadstsError
from tenantry.sessions.flow import SignInFlow
from tenantry.sessions.models import SsoSession
from tenantry.sessions.repository import FlowRepository, SessionRepository
from tenantry.tokens.opaque import new_opaque_token, token_hash

SESSION_TOKEN_PREFIX = "ss."  # noqa: S105 - a prefix, not a secret
FLOW_HANDLE_PREFIX = "fl."


class SessionUsers(SessionRepository, UserRepository, Protocol):
    """Sessions plus the users they belong to."""


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A session found from its cookie, with its user."""

    session: SsoSession
    user: User


def check_session(session: SsoSession, user: User, now: datetime) -> None:
    """Raise when the session can no longer sign the user in: idle or predating a password change → 50132;
    predating an administrator's "revoke sessions" → 50133; account disabled → 50057."""
    if session.is_idle(now):
        raise AadstsError.of(Aadsts.SsoArtifactInvalidOrExpired, hint="The session was idle for too long.")
    # Revocation first: an administrator's reset both changes the password and revokes sessions, and Entra
    # answers a revoked session with 50133.
    if user.sign_in_sessions_valid_from is not None and user.sign_in_sessions_valid_from > session.auth_time:
        raise AadstsError.of(Aadsts.SsoArtifactRevoked)
    if user.password_changed_at is not None and user.password_changed_at > session.auth_time:
        raise AadstsError.of(Aadsts.SsoArtifactInvalidOrExpired)
    if not user.account_enabled:
        raise AadstsError.of(Aadsts.UserDisabled)


class SessionService:
    """Creates and checks SSO sessions; every method works inside the caller's transaction."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def start(
        self, user: User, unit: SessionRepository, *, auth_methods: tuple[str, ...] = ("pwd",)
    ) -> tuple[SsoSession, str]:
        """A new transient session for a user who just proved their password; returns it and the cookie token."""
        now = self._clock.now()
        token = new_opaque_token(SESSION_TOKEN_PREFIX)
        session = SsoSession(new_guid(), user.tenant_id, user.id, now, now, now, False, auth_methods)
        unit.add_session(session, token_hash(token))
        return session, token

    def find(self, token: str | None, unit: SessionRepository) -> SsoSession | None:
        """The session a cookie names; a signed-out (revoked) session counts as none."""
        if not token:
            return None
        session = unit.find_session(token_hash(token))
        if session is None or session.revoked_at is not None:
            return None
        return session

    def lookup(self, token: str | None, unit: SessionUsers) -> ActiveSession | None:
        """The cookie's session and its user, not yet checked (`check_session` says whether it may sign in);
        None when there is no such session or user (AADSTS50058 for prompt=none)."""
        session = self.find(token, unit)
        if session is None:
            return None
        user = unit.find_user(session.tenant_id, session.user_id)
        return ActiveSession(session, user) if user is not None else None

    def current(self, token: str | None, unit: SessionUsers) -> ActiveSession | None:
        """`lookup`, then `check_session`: raises 50132 / 50133 / 50057 for a session that may not sign in."""
        found = self.lookup(token, unit)
        if found is not None:
            check_session(found.session, found.user, self._clock.now())
        return found

    def keep_signed_in(self, session_id: str, persistent: bool, unit: SessionRepository) -> None:
        """Record the "Stay signed in?" answer: yes makes the session persistent (90-day inactivity)."""
        unit.touch_session(session_id, self._clock.now(), persistent=persistent)

    def touch(self, session_id: str, unit: SessionRepository) -> None:
        """Slide the inactivity window on use (Entra extends sessions on each use)."""
        unit.touch_session(session_id, self._clock.now())

    def revoke(self, session_id: str, unit: SessionRepository) -> None:
        """Sign out: the cookie stops working everywhere it was copied."""
        unit.revoke_session(session_id, self._clock.now())


class FlowService:
    """Stores flows behind opaque handles; an unknown or expired handle is AADSTS50089."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @staticmethod
    def new_handle() -> tuple[str, bytes]:
        """A fresh handle for the URL, and the hash that is stored."""
        handle = new_opaque_token(FLOW_HANDLE_PREFIX)
        return handle, token_hash(handle)

    def add(self, flow: SignInFlow, unit: FlowRepository) -> None:
        """Store a new flow, first clearing out expired ones so abandoned sign-ins do not pile up."""
        unit.purge_flows(self._clock.now())
        unit.add_flow(flow)

    def find(self, handle: str | None, unit: FlowRepository) -> SignInFlow:
        """The live flow a handle names."""
        flow = unit.find_flow(token_hash(handle)) if handle else None
        if flow is None:
            raise AadstsError.of(Aadsts.FlowTokenExpired, debug="no sign-in flow has this handle")
        if flow.is_expired(self._clock.now()):
            debug = f"the sign-in flow of client {flow.client_id} expired at {flow.expires_at:%Y-%m-%dT%H:%M:%SZ}"
            raise AadstsError.of(Aadsts.FlowTokenExpired, debug=debug)
        return flow
