"""The security info page (`/securityinfo`, Entra's https://aka.ms/ssprsetup): a signed-in user registers an
e-mail address (proven by a code mailed to it), an authenticator app (secret as text, `otpauth://` link and
QR code) and security questions. Opened from the registration interrupt with `?flow=`, it offers "Done",
which continues that sign-in.

The user is the browser's SSO session's (no session: a "sign in first" page). Posts carry a CSRF token bound
to "securityinfo"; every change is audited by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenantry.common.master_key import MasterKey
from tenantry.errors import AadstsError
from tenantry.http.cookies import read_session_token
from tenantry.http.pages import error_page, render_page
from tenantry.http.paths import SECURITY_INFO_PATH, with_flow
from tenantry.sessions.service import ActiveSession
from tenantry.sessions.sspr.methods import SecurityInfoError
from tenantry.sessions.sspr.registration import RegistrationService
from tenantry.sessions.sspr.secrets import PREDEFINED_QUESTIONS
from tenantry.web.csrf import check_token, issue_token
from tenantry.web.signin.forms import read_form
from tenantry.web.signin.views import page, see_other

BINDING = "securityinfo"
WRONG_CODE = "That code didn't work. Check it, or send a new one."


@dataclass(frozen=True)
class SecurityInfoDeps:
    """The registration operations and the CSRF key (built once by `app.py`)."""

    registration: RegistrationService
    csrf_key: MasterKey


def _flow(request: Request, form: dict[str, str] | None = None) -> str:
    value = (form or {}).get("flow") or request.query_params.get("flow") or ""
    return value[:128]


async def show(
    deps: SecurityInfoDeps, request: Request, notice: str | None = None, flow: str | None = None
) -> Response:
    """GET /securityinfo: what is registered, and the forms to add more (`flow`: the interrupted sign-in)."""
    found = await to_thread.run_sync(deps.registration.signed_in, read_session_token(request))
    if found is None:
        return render_page(request, "sspr/sign_in_first.html", status=401)
    flow = flow if flow is not None else _flow(request)
    info = await to_thread.run_sync(deps.registration.info, found.user, found.session.id)
    app = await to_thread.run_sync(deps.registration.pending_app, found.user)
    values = {"info": info, "app": app, "questions": PREDEFINED_QUESTIONS, "flow": flow, "notice": notice}
    if flow:
        values["flow_csrf"] = issue_token(request, deps.csrf_key, flow).value
    return page(request, deps.csrf_key, "sspr/security_info.html", BINDING, values)


Change = Callable[[RegistrationService, ActiveSession, dict[str, str]], str | None]


async def _change(deps: SecurityInfoDeps, request: Request, change: Change) -> Response:
    """CSRF, the signed-in user, the change (its notice, if any), then the page again."""
    try:
        form = dict(await read_form(request))
        check_token(request, form, deps.csrf_key, BINDING)
    except AadstsError as err:
        return error_page(request, err)
    found = await to_thread.run_sync(deps.registration.signed_in, read_session_token(request))
    if found is None:
        return render_page(request, "sspr/sign_in_first.html", status=401)
    try:
        notice = await to_thread.run_sync(change, deps.registration, found, form)
    except SecurityInfoError as problem:
        notice = str(problem)
    flow = _flow(request, form)
    if notice:
        return await show(deps, request, notice, flow)
    return see_other(with_flow(SECURITY_INFO_PATH, flow) if flow else SECURITY_INFO_PATH)


def _send_email(registration: RegistrationService, found: ActiveSession, form: dict[str, str]) -> str | None:
    registration.start_email(found.user, found.session.id, form.get("email_address", ""))
    return None


def _verify_email(registration: RegistrationService, found: ActiveSession, form: dict[str, str]) -> str | None:
    return None if registration.finish_email(found.user, found.session.id, form.get("code", "")) else WRONG_CODE


def _add_app(registration: RegistrationService, found: ActiveSession, form: dict[str, str]) -> str | None:
    added = registration.add_app(found.user, form.get("pending", ""), form.get("code", ""))
    return None if added else "That code didn't work. Enter the code the app shows now."


def _questions(registration: RegistrationService, found: ActiveSession, form: dict[str, str]) -> str | None:
    pairs = [(form[f"question{i}"], form.get(f"answer{i}", "")) for i in range(5) if f"question{i}" in form]
    registration.set_questions(found.user, pairs)
    return None


def security_info_routes(deps: SecurityInfoDeps) -> list[BaseRoute]:
    """The page and its forms."""
    posts: dict[str, Change] = {
        "/email": _send_email,
        "/email/verify": _verify_email,
        "/app": _add_app,
        "/questions": _questions,
    }
    return [
        Route(SECURITY_INFO_PATH, partial(show, deps), methods=["GET"]),
        *(
            Route(f"{SECURITY_INFO_PATH}{suffix}", partial(_post, deps, change), methods=["POST"])
            for suffix, change in posts.items()
        ),
    ]


async def _post(deps: SecurityInfoDeps, change: Change, request: Request) -> Response:
    return await _change(deps, request, change)
