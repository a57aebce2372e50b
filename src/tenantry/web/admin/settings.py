"""Settings (issue 15 item 7), the tenant-wide policies: each read and changed through the service its Graph
or CLI counterpart calls, under the same rights.

- Secret lifetime policy (`CredentialService.set_policy`, CLI `tenantry policy`): read by who may read app
  registrations (`APP_READ`); changed by a Global Administrator only.
- Password policy (`PasswordPolicyService`): the expiry is Graph's `domain.passwordValidityPeriodInDays`, so
  it is read under `DOMAIN_READ` and changed under `DOMAIN_UPDATE`, as `PATCH /domains/{id}` checks; the
  custom banned list has no Graph API (CLI `tenantry tenant password-policy`): Global Administrator only.
- Smart lockout and SSPR: `settings_signin.py`; conditional access and seamless SSO: `settings_access.py`.

`check_global_administrator` is that rule: these settings have no role rule in `directory/roles.py` yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.credentials.errors import CredentialError
from tenantry.credentials.policy import lifetime_days
from tenantry.directory.authorization import INSUFFICIENT, Action, AuthorizationError
from tenantry.passwords.service import PasswordPolicyError
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.monitoring import operations
from tenantry.web.admin.views import NO_STORE

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
GLOBAL_ONLY = "global-administrator"  # the "action" of a refusal under `check_global_administrator`
MAX_TERMS = 1000
Check = Callable[[AdminCall], None]


def check_global_administrator(call: AdminCall) -> None:
    """Settings without a role rule of their own (the CLI changes them as the local administrator): only a
    Global Administrator may read or change them here."""
    if not any(role.id == GLOBAL_ADMINISTRATOR for role in call.rights.roles):
        raise AuthorizationError(
            GLOBAL_ONLY, f"{INSUFFICIENT} Requires one of the directory roles: Global Administrator."
        )


def check_action(action: str) -> Check:
    """Graph's check of `action`."""
    return lambda call: call.rights.check(action)


def allowed(call: AdminCall, check: Check) -> bool:
    """Whether `check` passes (to show a form; its POST checks again)."""
    try:
        check(call)
    except AuthorizationError:
        return False
    return True


async def authorised(request: Request, deps: AdminDeps, check: Check) -> AdminCall | Response:
    """The request's administrator once `check` passes, else the answer (sign-in, no access, 403)."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    try:
        check(call)
    except AuthorizationError as err:
        return call.refused(err)
    return call


def saved(path: str) -> Response:
    """After a change: back to the page, which says it was saved."""
    return RedirectResponse(f"{path}?saved=1", status_code=303, headers=NO_STORE)


def number(fields: dict[str, str], name: str) -> int | None:
    """A whole number field; None when left empty (the service then keeps the current value)."""
    text = fields.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"{name.replace('_', ' ').capitalize()} must be a whole number.")
    return int(text)


def lines(text: str) -> tuple[str, ...]:
    """One value a line (or comma-separated), blanks dropped."""
    return tuple(line.strip() for line in text.replace(",", "\n").splitlines() if line.strip())[:MAX_TERMS]


# -- index ---------------------------------------------------------------------------------------------------

SETTINGS_READS: tuple[tuple[str, str, str, Check], ...] = (
    (
        "/admin/settings/secret-lifetime",
        "Secret lifetime policy",
        "The longest lifetime of a new client secret.",
        check_action(Action.APP_READ),
    ),
    (
        "/admin/settings/password-policy",
        "Password policy",
        "Password expiry and the custom banned passwords.",
        check_action(Action.DOMAIN_READ),
    ),
    (
        "/admin/settings/lockout",
        "Smart lockout",
        "Lockout threshold and duration, blocked IP ranges.",
        check_global_administrator,
    ),
    (
        "/admin/settings/sspr",
        "Self-service password reset",
        "Who may reset their password, and with which methods.",
        check_global_administrator,
    ),
    (
        "/admin/settings/conditional-access",
        "Conditional access",
        "Policies and their state, named locations.",
        check_action(Action.CA_POLICY_READ),
    ),
    (
        "/admin/settings/seamless-sso",
        "Seamless single sign-on",
        "Kerberos realms and the age of their keys.",
        check_action(Action.SEAMLESS_SSO_READ),
    ),
)


async def index(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings: the settings this administrator may open."""
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    cards = [(path, name, text) for path, name, text, check in SETTINGS_READS if allowed(call, check)]
    return call.page("admin/settings/index.html", {"title": "Settings", "cards": cards})


# -- secret lifetime policy ----------------------------------------------------------------------------------

LIFETIME_PATH = "/admin/settings/secret-lifetime"


async def _secret_lifetime_page(call: AdminCall, problem: str | None = None) -> Response:
    policy = await to_thread.run_sync(call.deps.credentials.find_policy, call.tenant_id)
    values = {
        "title": "Secret lifetime policy",
        "max_days": lifetime_days(policy),
        "may_change": allowed(call, check_global_administrator),
        "problem": problem,
        "saved": call.request.query_params.get("saved") == "1",
    }
    return call.page("admin/settings/secret_lifetime.html", values, status=400 if problem else 200)


async def secret_lifetime(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/secret-lifetime: the tenant's cap on new client secrets (none by default)."""
    call = await authorised(request, deps, check_action(Action.APP_READ))
    return call if isinstance(call, Response) else await _secret_lifetime_page(call)


async def set_secret_lifetime(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/secret-lifetime: `max_days`, empty for no cap (`tenantry policy set`)."""
    call = await authorised(request, deps, check_global_administrator)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        days = number(fields, "max_days")
        lifetime = timedelta(days=days) if days is not None else None
        await to_thread.run_sync(lambda: deps.credentials.set_policy(call.tenant_id, lifetime, audit=call.audit))
    except (ValueError, CredentialError) as err:
        return await _secret_lifetime_page(call, str(err))
    return saved(LIFETIME_PATH)


# -- password policy -----------------------------------------------------------------------------------------

POLICY_PAGE = "/admin/settings/password-policy"


async def _password_page(call: AdminCall, problem: str | None = None) -> Response:
    policy = await to_thread.run_sync(operations(call.deps).password_policies.policy_for, call.tenant_id)
    values = {
        "title": "Password policy",
        "policy": policy,
        "may_change_expiry": call.may(Action.DOMAIN_UPDATE),
        "expiry_reason": call.rights.denial(Action.DOMAIN_UPDATE),
        "may_change_banned": allowed(call, check_global_administrator),
        "problem": problem,
        "saved": call.request.query_params.get("saved") == "1",
    }
    return call.page("admin/settings/password_policy.html", values, status=400 if problem else 200)


async def password_policy(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/password-policy: expiry and the custom banned list."""
    call = await authorised(request, deps, check_action(Action.DOMAIN_READ))
    return call if isinstance(call, Response) else await _password_page(call)


async def _change_password_policy(request: Request, deps: AdminDeps, check: Check, **kind: bool) -> Response:
    call = await authorised(request, deps, check)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    changes: dict[str, Any] = {}
    try:
        if kind.get("expiry"):
            never = fields.get("never_expire") == "yes"
            changes = {"never_expire": never, "validity_days": None if never else number(fields, "validity_days")}
            if not never and changes["validity_days"] is None:
                raise ValueError("Give the number of days a password is valid, or choose Never expire.")
        else:
            changes = {"banned_add": lines(fields.get("add", "")), "banned_remove": lines(fields.get("remove", ""))}
        service = operations(deps).password_policies
        await to_thread.run_sync(lambda: service.set_policy(call.tenant_id, audit=call.audit, **changes))
    except (ValueError, PasswordPolicyError) as err:
        return await _password_page(call, str(err))
    return saved(POLICY_PAGE)


async def set_password_expiry(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/password-policy/expiry: Graph's `passwordValidityPeriodInDays`, `DOMAIN_UPDATE`."""
    return await _change_password_policy(request, deps, check_action(Action.DOMAIN_UPDATE), expiry=True)


async def set_banned_passwords(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/password-policy/banned: terms to add and to remove (Global Administrator)."""
    return await _change_password_policy(request, deps, check_global_administrator)
