"""One admin request: the signed-in administrator, their rights (read again on every request, as Graph
does), an audit context, and the CSRF token of the page's forms.

The caller is `directory.authorization.Caller` with the scopes of the access token the sign-in got, so
every check below is `CallerRights`' own, exactly what a Graph call by the same user would meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.authorization import AuthorizationError, Caller, CallerRights
from tenantry.directory.models import User
from tenantry.directory.roles import BUILT_IN_ROLES
from tenantry.errors import AadstsError
from tenantry.http.context import request_context
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.session import read_session
from tenantry.web.admin.signin import sign_in_redirect
from tenantry.web.admin.views import admin_error, admin_page
from tenantry.web.csrf import check_token, issue_token
from tenantry.web.signin.forms import read_form

# Roles the "no access" page suggests (the ones the admin center's blades serve).
SUGGESTED_ROLES = (
    "Global Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
    "User Administrator",
    "Helpdesk Administrator",
    "Password Administrator",
)


@dataclass(frozen=True)
class AdminCall:
    """Everything a blade needs about one request."""

    request: Request
    deps: AdminDeps
    user: User
    rights: CallerRights
    audit: AuditContext

    @property
    def tenant_id(self) -> str:
        """The administrator's tenant: every object a page shows lives in it."""
        return self.user.tenant_id

    @property
    def base_url(self) -> str:
        """The public URL (endpoints, share links)."""
        return request_context(self.request).base_url

    @property
    def binding(self) -> str:
        """CSRF tokens are bound to the signed-in administrator."""
        return f"admin:{self.user.id}"

    def page(self, template: str, values: dict[str, Any], *, status: int = 200) -> Response:
        """A page of this administrator, with a fresh CSRF token for its forms."""
        token = issue_token(self.request, self.deps.master_key, self.binding)
        context = {"me": self.user, "csrf": token.value, "signed_in": True, **values}
        return token.apply(admin_page(self.request, template, context, status=status))

    def refused(self, err: AuthorizationError) -> Response:
        """403 with Graph's words: which role (or permission) would allow it."""
        values = {"title": "You don't have access", "message": err.message, "code": "Authorization_RequestDenied"}
        return self.page("admin/error.html", values, status=403)

    def refusal(self, action: str) -> Response | None:
        """`CallerRights.check(action)`: None when allowed, else the 403 page."""
        try:
            self.rights.check(action)
        except AuthorizationError as err:
            return self.refused(err)
        return None

    def may(self, action: str) -> bool:
        """Whether `action` is allowed (to show or hide a control; the action itself checks again)."""
        return self.rights.allows(action)

    async def form(self) -> dict[str, str] | Response:
        """The posted fields after the CSRF check, or the error page."""
        try:
            fields = dict(await read_form(self.request))
            check_token(self.request, fields, self.deps.master_key, self.binding)
        except AadstsError as err:
            return admin_error(self.request, "Request refused", err.message, code=f"AADSTS{err.spec.code}")
        return fields


def _load(
    deps: AdminDeps, tenant_id: str, user_id: str, scopes: tuple[str, ...], issued: int
) -> tuple[User, CallerRights] | None:
    """The session's user and rights; None when the user is gone, disabled, or their sessions were revoked
    after this one began (an admin's "Revoke sessions", a password change, "Sign out everywhere")."""
    user = deps.users.find_tenant_user(tenant_id, user_id)
    if user is None or not user.account_enabled:
        return None
    revoked = user.sign_in_sessions_valid_from
    if revoked is not None and issued < int(revoked.timestamp()):  # whole seconds, as `issued` is
        return None
    rights = deps.authorizer.rights_for(Caller(tenant_id, user.id, is_app=False, permissions=frozenset(scopes)))
    return user, rights


async def admin_call(request: Request, deps: AdminDeps) -> AdminCall | Response:
    """The request's administrator, or the answer instead: sign-in (no session, or its user is gone or
    disabled) or the page saying which role is lacking (no directory role at all)."""
    session = read_session(request, deps.master_key, deps.clock.now())
    if session is None:
        return sign_in_redirect(request, deps)
    loaded = await to_thread.run_sync(_load, deps, session.tenant_id, session.user_id, session.scopes, session.issued)
    if loaded is None:
        return sign_in_redirect(request, deps)
    user, rights = loaded
    actor = Actor("user", user.id, user.user_principal_name)
    audit = AuditContext(actor, deps.clock.now(), request_context(request).correlation_id)
    call = AdminCall(request, deps, user, rights, audit)
    if not rights.roles:
        suggested = [r for r in BUILT_IN_ROLES if r.display_name in SUGGESTED_ROLES]
        values = {"title": "You don't have access", "suggested": suggested}
        return call.page("admin/no_access.html", values, status=403)
    return call
