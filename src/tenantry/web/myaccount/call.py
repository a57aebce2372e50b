"""One My Account request: the signed-in user (read again on every request), an audit context naming them,
and the CSRF token of the page's forms.

Every page acts on the signed-in user only: no path names another user, so another user's data is not
reachable by construction (grants and methods are looked up under the user's own id). No directory role is
needed, as for Graph's `/me`. A session older than the user's `signInSessionsValidFromDateTime` (after
"Sign out everywhere" or an administrator's revocation) signs in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.models import User
from tenantry.errors import AadstsError
from tenantry.http.context import request_context
from tenantry.http.pages import render_page
from tenantry.web.admin.session import AdminSession, read_session
from tenantry.web.admin.signin import MY_ACCOUNT_PORTAL, sign_in_redirect
from tenantry.web.csrf import check_token, issue_token
from tenantry.web.myaccount.deps import MyAccountDeps
from tenantry.web.signin.forms import read_form

# The sections of the navigation: (path, label).
NAV = (
    ("/myaccount", "Overview"),
    ("/myaccount/password", "Password"),
    ("/myaccount/security-info", "Security info"),
    ("/myaccount/sessions", "Sign-in sessions"),
    ("/myaccount/apps", "Apps"),
)


def account_page(request: Request, template: str, values: dict[str, Any], *, status: int = 200) -> Response:
    """A My Account page (`values` names `title`), with the sign-in pages' headers (strict CSP, no-store)."""
    return render_page(request, template, {"nav": NAV, "path": request.url.path, **values}, status=status)


def account_error(
    request: Request, title: str, message: str, *, code: str | None = None, status: int = 400
) -> Response:
    """A friendly error: what happened in words, the AADSTS or Graph code in small print."""
    values = {"title": title, "message": message, "code": code, "signed_in": False}
    return account_page(request, "myaccount/error.html", values, status=status)


@dataclass(frozen=True)
class AccountCall:
    """Everything a page needs about one request."""

    request: Request
    deps: MyAccountDeps
    user: User
    audit: AuditContext

    @property
    def binding(self) -> str:
        """CSRF tokens are bound to the signed-in user and to My Account (not valid on admin forms)."""
        return f"myaccount:{self.user.id}"

    def page(self, template: str, values: dict[str, Any], *, status: int = 200) -> Response:
        """A page of this user, with a fresh CSRF token for its forms."""
        token = issue_token(self.request, self.deps.admin.master_key, self.binding)
        context = {"me": self.user, "csrf": token.value, "signed_in": True, **values}
        return token.apply(account_page(self.request, template, context, status=status))

    async def form(self) -> dict[str, str] | Response:
        """The posted fields after the CSRF check, or the error page."""
        try:
            fields = dict(await read_form(self.request))
            check_token(self.request, fields, self.deps.admin.master_key, self.binding)
        except AadstsError as err:
            return account_error(self.request, "Request refused", err.message, code=f"AADSTS{err.spec.code}")
        return fields


def _load(deps: MyAccountDeps, session: AdminSession) -> User | None:
    user = deps.users.find_tenant_user(session.tenant_id, session.user_id)
    if user is None or not user.account_enabled:
        return None
    revoked = user.sign_in_sessions_valid_from
    # `issued` is whole seconds, floored: a session begun in the revocation's own second survives (else a
    # sign-in right after a password change, which revokes, could be refused in a loop for up to a second).
    return None if revoked is not None and session.issued < int(revoked.timestamp()) else user


async def account_call(request: Request, deps: MyAccountDeps) -> AccountCall | Response:
    """The request's user, or the sign-in redirect (no session, or its user is gone, disabled or revoked)."""
    admin = deps.admin
    session = read_session(request, admin.master_key, admin.clock.now(), MY_ACCOUNT_PORTAL.cookies)
    user = None if session is None else await to_thread.run_sync(_load, deps, session)
    if user is None:
        return sign_in_redirect(request, admin, MY_ACCOUNT_PORTAL)
    actor = Actor("user", user.id, user.user_principal_name)
    audit = AuditContext(actor, admin.clock.now(), request_context(request).correlation_id)
    return AccountCall(request, deps, user, audit)
