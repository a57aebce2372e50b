"""The admin center's own cookies, sealed with the master key (AES-GCM), so the server keeps no state.

- `tenantry_admin`: the admin session, made from the access token the sign-in got: tenant, user, scopes and
  an end (the token's, at most `AdminDeps.session_minutes`). Nothing in it is a right: roles are read again
  on every request.
- `tenantry_admin_signin`: one sign-in under way: `state`, the PKCE verifier, the page to return to.

Both are HttpOnly, Secure and SameSite=Lax (the authorize redirect back is a top-level GET), on `/admin`
only. A cookie that does not open (tampered, another key, expired) is simply absent. My Account has the same
pair under its own names, path and sealing purposes (`MY_ACCOUNT_COOKIES`): neither portal reads the other's.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from starlette.requests import Request
from starlette.responses import Response

from tenantry.common.ids import b64url, b64url_decode
from tenantry.common.master_key import MasterKey

SESSION_COOKIE = "tenantry_admin"
SIGNIN_COOKIE = "tenantry_admin_signin"
COOKIE_PATH = "/admin"
_SESSION_PURPOSE = "tenantry/admin-session/v1"
_SIGNIN_PURPOSE = "tenantry/admin-signin/v1"
_MAX_COOKIE = 3000
SIGNIN_SECONDS = 600


@dataclass(frozen=True, slots=True)
class CookieScope:
    """The names, path and sealing purposes of one portal's session and sign-in cookies."""

    session: str
    signin: str
    path: str
    session_purpose: str
    signin_purpose: str


ADMIN_COOKIES = CookieScope(SESSION_COOKIE, SIGNIN_COOKIE, COOKIE_PATH, _SESSION_PURPOSE, _SIGNIN_PURPOSE)
MY_ACCOUNT_COOKIES = CookieScope(
    "tenantry_myaccount",
    "tenantry_myaccount_signin",
    "/myaccount",
    "tenantry/myaccount-session/v1",
    "tenantry/myaccount-signin/v1",
)


@dataclass(frozen=True, slots=True)
class AdminSession:
    """Who is signed in to the admin center, and until when (epoch seconds); `issued` lets a portal end a
    session older than the user's `signInSessionsValidFromDateTime` (0 in cookies made before it existed)."""

    tenant_id: str
    user_id: str
    scopes: tuple[str, ...]
    expires: int
    issued: int = 0


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """A sign-in under way: what the callback checks and where it goes next."""

    state: str
    verifier: str
    next_path: str
    expires: int


def _seal(key: MasterKey, purpose: str, value: object) -> str:
    return b64url(key.encrypt(purpose, json.dumps(value, separators=(",", ":")).encode()))


def _open(key: MasterKey, purpose: str, text: str | None) -> dict[str, object] | None:
    if not text or len(text) > _MAX_COOKIE:
        return None
    try:
        value = json.loads(key.decrypt(purpose, b64url_decode(text)))
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None


def _set(response: Response, name: str, value: str, max_age: int, path: str = COOKIE_PATH) -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite="lax")


def _clear(response: Response, name: str, path: str = COOKIE_PATH) -> None:
    response.delete_cookie(name, path=path, secure=True, httponly=True, samesite="lax")


def read_session(
    request: Request, key: MasterKey, now: datetime, scope: CookieScope = ADMIN_COOKIES
) -> AdminSession | None:
    """The browser's admin session, unless absent, tampered with or over."""
    raw = _open(key, scope.session_purpose, request.cookies.get(scope.session))
    scopes = raw.get("scopes") if raw else None
    if raw is None or not isinstance(scopes, list):
        return None
    session = AdminSession(
        _text(raw, "tenant_id"), _text(raw, "user_id"), tuple(map(str, scopes)), _int(raw), _int(raw, "issued")
    )
    return session if session.expires > now.timestamp() else None


def _text(raw: dict[str, object], name: str) -> str:
    value = raw.get(name)
    return value if isinstance(value, str) else ""


def _int(raw: dict[str, object], name: str = "expires") -> int:
    value = raw.get(name)
    return value if isinstance(value, int) else 0


def write_session(
    response: Response, key: MasterKey, session: AdminSession, now: datetime, scope: CookieScope = ADMIN_COOKIES
) -> None:
    """Set the session cookie; it lives until the session ends."""
    lifetime = session.expires - int(now.timestamp())
    _set(response, scope.session, _seal(key, scope.session_purpose, asdict(session)), lifetime, scope.path)
    _clear(response, scope.signin, scope.path)


def clear_session(response: Response, scope: CookieScope = ADMIN_COOKIES) -> None:
    """Sign-out of the admin center (the SSO session is the STS's to end)."""
    _clear(response, scope.session, scope.path)


def read_pending(
    request: Request, key: MasterKey, now: datetime, scope: CookieScope = ADMIN_COOKIES
) -> PendingSignIn | None:
    """The sign-in under way in this browser, unless absent or over ten minutes old."""
    raw = _open(key, scope.signin_purpose, request.cookies.get(scope.signin))
    if raw is None:
        return None
    pending = PendingSignIn(_text(raw, "state"), _text(raw, "verifier"), _text(raw, "next_path"), _int(raw))
    return pending if pending.state and pending.expires > now.timestamp() else None


def write_pending(
    response: Response, key: MasterKey, pending: PendingSignIn, scope: CookieScope = ADMIN_COOKIES
) -> None:
    """Remember a sign-in started here (ten minutes)."""
    _set(response, scope.signin, _seal(key, scope.signin_purpose, asdict(pending)), SIGNIN_SECONDS, scope.path)
