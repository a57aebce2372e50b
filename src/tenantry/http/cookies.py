"""The SSO cookies, shared by the STS (authorize, logout) and the sign-in pages.

Entra's names (entra-reference §6.7): `ESTSAUTH` is the session cookie of a transient session,
`ESTSAUTHPERSISTENT` the same after "Stay signed in? Yes". Both carry an opaque random token (the server
stores only its SHA-256); attributes as Entra sets them: `path=/; secure; HttpOnly; SameSite=None`.
SameSite=None lets the cookie accompany the top-level cross-site navigation (and form_post) an app starts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tenantry.sessions.models import PERSISTENT_INACTIVITY

TRANSIENT_COOKIE = "ESTSAUTH"
PERSISTENT_COOKIE = "ESTSAUTHPERSISTENT"
SESSION_COOKIES = (PERSISTENT_COOKIE, TRANSIENT_COOKIE)
_TOKEN_MAX_LENGTH = 128


def read_session_token(request: Request) -> str | None:
    """The session token the browser sent (the persistent cookie wins); oversized values are ignored."""
    for name in SESSION_COOKIES:
        value = request.cookies.get(name)
        if value and len(value) <= _TOKEN_MAX_LENGTH:
            return value
    return None


def set_session_cookie(response: Response, token: str, *, persistent: bool) -> None:
    """Write the session cookie; a persistent one lives as long as the session may idle (90 days)."""
    name, other = (PERSISTENT_COOKIE, TRANSIENT_COOKIE) if persistent else (TRANSIENT_COOKIE, PERSISTENT_COOKIE)
    max_age = int(PERSISTENT_INACTIVITY.total_seconds()) if persistent else None
    response.set_cookie(name, token, max_age=max_age, path="/", secure=True, httponly=True, samesite="none")
    response.delete_cookie(other, path="/", secure=True, httponly=True, samesite="none")


def clear_session_cookies(response: Response) -> None:
    """Sign-out: expire both session cookies."""
    for name in SESSION_COOKIES:
        response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="none")
