"""An SSO session: who signed in, when, how, and whether "Stay signed in?" made it persistent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Entra's session inactivity limits (entra-reference §2.5): 24 h, or 90 days after "Stay signed in".
TRANSIENT_INACTIVITY = timedelta(hours=24)
PERSISTENT_INACTIVITY = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class SsoSession:
    """Stored under the SHA-256 of the cookie's random token, so a database leak yields no cookies."""

    id: str
    tenant_id: str
    user_id: str
    created_at: datetime
    last_seen_at: datetime
    auth_time: datetime
    persistent: bool = False
    auth_methods: tuple[str, ...] = ("pwd",)
    revoked_at: datetime | None = None

    def is_idle(self, now: datetime) -> bool:
        """Past its sliding inactivity limit."""
        limit = PERSISTENT_INACTIVITY if self.persistent else TRANSIENT_INACTIVITY
        return now - self.last_seen_at > limit
