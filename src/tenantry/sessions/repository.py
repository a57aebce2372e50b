"""Storage interface for SSO sessions; `store/sql/sessions.py` implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.sessions.models import SsoSession


class SessionRepository(Protocol):
    """SSO sessions, found by the hash of the cookie token."""

    def add_session(self, session: SsoSession, token_hash: bytes) -> None:
        """Insert a new session."""
        ...

    def find_session(self, token_hash: bytes) -> SsoSession | None:
        """The session a cookie token names."""
        ...

    def touch_session(self, session_id: str, when: datetime, *, persistent: bool | None = None) -> None:
        """Slide the inactivity window (and record "Stay signed in?" when answered)."""
        ...

    def revoke_session(self, session_id: str, when: datetime) -> None:
        """End one session (sign-out)."""
        ...
