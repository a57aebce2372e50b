"""Routes of the reset pages: `/sspr` (the user name), `/sspr/verify` (prove methods), `/sspr/password`
(the new password); `/passwordreset` redirects to `/sspr` (Entra's portal name).

The reset's handle lives only in an HttpOnly cookie (`tenantry_sspr`, path `/sspr`, SameSite=Lax): the
state is server-side (sessions/sspr/reset.py) and bound to the browser that started it, never in a URL.
Every post carries a CSRF token bound to the handle (web/csrf.py). Handlers stay thin: form, CSRF, the
service in a worker thread, then a 303 to the page of the flow's step, or the page again with what went
wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tenantry.errors import Aadsts, AadstsError
from tenantry.http.context import request_context
from tenantry.http.pages import error_page
from tenantry.passwords.policy import PasswordRejectedError
from tenantry.sessions.sspr.models import ResetStep
from tenantry.sessions.sspr.reset import VerificationError
from tenantry.web.csrf import check_token
from tenantry.web.signin.forms import read_form
from tenantry.web.signin.views import page, see_other
from tenantry.web.sspr.deps import SsprPageDeps

SSPR_PATH = "/sspr"
VERIFY_PATH = "/sspr/verify"
PASSWORD_PATH = "/sspr/password"  # noqa: S105 - a path
ALIAS_PATH = "/passwordreset"
FLOW_COOKIE = "tenantry_sspr"
START_BINDING = "sspr"
_TEMPLATES = {
    ResetStep.VERIFY: "sspr/verify.html",
    ResetStep.PASSWORD: "sspr/password.html",
    ResetStep.DONE: "sspr/done.html",
}


def _handle(request: Request) -> str:
    value = request.cookies.get(FLOW_COOKIE, "")
    return value if 0 < len(value) <= 64 else ""


def _restart(request: Request, err: AadstsError) -> Response:
    """The error page with a way to start again (an expired or unknown reset, 120016)."""
    return error_page(request, err, {"restart": SSPR_PATH})


async def show_start(deps: SsprPageDeps, request: Request, error: AadstsError | None = None) -> Response:
    """GET /sspr: "Get back into your account"."""
    return page(request, deps.csrf_key, "sspr/identify.html", START_BINDING, {}, error)


async def alias(_request: Request) -> Response:
    """GET /passwordreset: Entra's name for the portal."""
    return RedirectResponse(SSPR_PATH, status_code=302)


async def post_start(deps: SsprPageDeps, request: Request) -> Response:
    """A user name: always a new reset (whoever it names) and its cookie."""
    try:
        form = await read_form(request)
        check_token(request, form, deps.csrf_key, START_BINDING)
    except AadstsError as err:
        return error_page(request, err)
    client_ip = request_context(request).client_ip
    try:
        handle = await to_thread.run_sync(deps.service.start, form.get("username", ""), client_ip)
    except AadstsError as err:
        return await show_start(deps, request, err)
    response = see_other(VERIFY_PATH)
    response.set_cookie(FLOW_COOKIE, handle, path=SSPR_PATH, secure=True, httponly=True, samesite="lax")
    return response


async def show_step(
    deps: SsprPageDeps, request: Request, error: AadstsError | None = None, notice: str | None = None
) -> Response:
    """The page of the reset's step (verify, password, done); 50089 / 120016 on the error page."""
    handle = _handle(request)
    try:
        view = await to_thread.run_sync(deps.service.view, handle)
    except AadstsError as err:
        return _restart(request, err)
    if view.step is ResetStep.REFUSED:
        return _restart(request, AadstsError.of(Aadsts.PasswordChangeUserNotFoundBySspr))
    values = {"view": view, "notice": notice, "reason": None}
    if isinstance(error, PasswordRejectedError):
        values["reason"] = error.user_message
    return page(request, deps.csrf_key, _TEMPLATES[view.step], f"sspr:{handle}", values, error)


Operation = Callable[[SsprPageDeps, dict[str, str], str, str], None]


async def _post(deps: SsprPageDeps, request: Request, operation: Operation) -> Response:
    """Form, CSRF bound to the reset, the operation, then the step's page (303) or the page again."""
    handle = _handle(request)
    try:
        form = dict(await read_form(request))
        check_token(request, form, deps.csrf_key, f"sspr:{handle}")
    except AadstsError as err:
        return error_page(request, err)
    client_ip = request_context(request).client_ip
    try:
        await to_thread.run_sync(operation, deps, form, handle, client_ip)
    except VerificationError as problem:
        return await show_step(deps, request, notice=str(problem))
    except AadstsError as err:
        if err.code in (Aadsts.FlowTokenExpired, Aadsts.PasswordChangeUserNotFoundBySspr):
            return _restart(request, err)
        return await show_step(deps, request, err)
    return see_other(VERIFY_PATH)


def _verify(deps: SsprPageDeps, form: dict[str, str], handle: str, client_ip: str) -> None:
    service = deps.service
    action = form.get("action", "")
    if action == "send_code":
        service.send_code(handle, client_ip)
    elif action == "email":
        service.verify_code(handle, form.get("code", ""), client_ip)
    elif action == "app":
        service.verify_app(handle, form.get("code", ""), client_ip)
    elif action == "questions":
        answers = tuple(form.get(f"answer{i}", "") for i in range(5) if f"answer{i}" in form)
        service.verify_answers(handle, answers, client_ip)
    else:
        raise VerificationError("Choose a way to verify your identity.")


def _password(deps: SsprPageDeps, form: dict[str, str], handle: str, client_ip: str) -> None:
    new = form.get("new_password", "")
    if new != form.get("confirm_password", ""):
        raise VerificationError("The passwords don't match. Enter the same new password twice.")
    deps.service.reset(handle, new, client_ip)


async def post_verify(deps: SsprPageDeps, request: Request) -> Response:
    """Send a code, or prove a method (e-mail code, authenticator app code, security questions)."""
    return await _post(deps, request, _verify)


async def post_password(deps: SsprPageDeps, request: Request) -> Response:
    """The new password, twice."""
    return await _post(deps, request, _password)


def sspr_routes(deps: SsprPageDeps) -> list[BaseRoute]:
    """The reset pages bound to their dependencies."""
    return [
        Route(SSPR_PATH, partial(show_start, deps), methods=["GET"]),
        Route(SSPR_PATH, partial(post_start, deps), methods=["POST"]),
        Route(ALIAS_PATH, alias, methods=["GET"]),
        Route(VERIFY_PATH, partial(show_step, deps), methods=["GET"]),
        Route(VERIFY_PATH, partial(post_verify, deps), methods=["POST"]),
        Route(PASSWORD_PATH, partial(show_step, deps), methods=["GET"]),
        Route(PASSWORD_PATH, partial(post_password, deps), methods=["POST"]),
    ]
