"""CSRF protection for every sign-in form: a signed double-submit token bound to the flow.

The browser holds a random value in the `tenantry_csrf` cookie (HttpOnly, Secure, SameSite=Lax); each
form carries `HMAC-SHA256(master-key-derived key, cookie value ‖ binding)`, where the binding is the
flow handle (or a fixed name for forms without a flow, such as the device-code entry). A post is
accepted only when the field matches the HMAC of the cookie it arrived with, compared in constant time.

Why this and not a token stored with the flow: it needs no write when a page is shown, works for forms
that have no flow yet, and an attacker can neither read the cookie (another origin) nor compute the
HMAC (no key); binding to the flow stops a token from one sign-in being replayed into another
(OWASP CSRF Prevention Cheat Sheet, "Signed Double-Submit Cookie").
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from tenantry.common.ids import b64url
from tenantry.common.master_key import MasterKey
from tenantry.errors import Aadsts, AadstsError

CSRF_COOKIE = "tenantry_csrf"
CSRF_FIELD = "csrf_token"
_PURPOSE = "tenantry/csrf/v1"
_COOKIE_PATTERN_LENGTH = 43


@dataclass(frozen=True, slots=True)
class CsrfToken:
    """The form field value, and the cookie to set when the browser had none."""

    value: str
    new_cookie: str | None = None

    def apply(self, response: Response) -> Response:
        """Set the cookie on the page that carries the form (only when it is new)."""
        if self.new_cookie is not None:
            response.set_cookie(CSRF_COOKIE, self.new_cookie, path="/", secure=True, httponly=True, samesite="lax")
        return response


def _sign(key: MasterKey, cookie: str, binding: str) -> str:
    return b64url(key.mac(_PURPOSE, f"{cookie}\x00{binding}".encode()))


def _cookie(request: Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE)
    return value if value and len(value) == _COOKIE_PATTERN_LENGTH else None


def issue_token(request: Request, key: MasterKey, binding: str) -> CsrfToken:
    """The token for a form bound to `binding`; reuses the browser's cookie, or makes one."""
    cookie = _cookie(request)
    if cookie is not None:
        return CsrfToken(_sign(key, cookie, binding))
    fresh = b64url(secrets.token_bytes(32))
    return CsrfToken(_sign(key, fresh, binding), fresh)


def check_token(request: Request, form: Mapping[str, str], key: MasterKey, binding: str) -> None:
    """Reject a post without the cookie, without the field, or whose field is not this cookie's signature
    for this binding (AADSTS90023, shown on the error page)."""
    cookie = _cookie(request)
    sent = form.get(CSRF_FIELD, "")
    if cookie is None or not sent or not hmac.compare_digest(sent.encode(), _sign(key, cookie, binding).encode()):
        raise AadstsError.of(Aadsts.InvalidRequest).with_hint(
            "The form's anti-forgery token is missing or does not match; reload the page and try again."
        )
