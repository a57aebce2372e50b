"""Routes of the sign-in pages: `/login`, `/login/password`, `/login/password/change`, `/login/mfa`,
`/login/mfa/enrol`, `/kmsi`, `/consent`,
`/devicelogin`, and the first-party assets under `/static`.

Handlers stay thin: read the form, check its CSRF token, run the `SignInService` operation in a worker
thread (argon2 and the database block), then redirect (303) to the next step or re-render the page with
the AADSTS error inline. A post that no longer fits the flow's state (Back, double submit) just goes to
the page of the current step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from importlib import resources

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from tenantry.errors import Aadsts, AadstsError
from tenantry.http.context import request_context
from tenantry.http.cookies import read_session_token, set_session_cookie
from tenantry.http.pages import error_page, render_page
from tenantry.http.paths import (
    CONSENT_PATH,
    DEVICE_DONE_PATH,
    DEVICE_LOGIN_PATH,
    KMSI_PATH,
    LOGIN_PATH,
    MFA_ENROL_PATH,
    MFA_PATH,
    PASSWORD_CHANGE_PATH,
    PASSWORD_PATH,
    SECURITY_INFO_PATH,
    SSPR_REGISTER_PATH,
    STATIC_PREFIX,
    with_flow,
)
from tenantry.sessions.flow import FlowKind, FlowState, FlowStateError, SignInFlow
from tenantry.web.csrf import check_token
from tenantry.web.signin.deps import SignInPageDeps
from tenantry.web.signin.forms import read_form
from tenantry.web.signin.views import DEVICE_BINDING, next_location, page, see_other, step_page

Operation = Callable[[Mapping[str, str], str, str | None], SignInFlow]


class FormProblemError(ValueError):
    """A form the page itself refuses before asking the service (the two new passwords differ)."""


async def _step(
    deps: SignInPageDeps, request: Request, handle: str, error: AadstsError | None = None, notice: str | None = None
) -> Response:
    """Show the flow's current step (with `error` or `notice` inline); an unknown or expired flow is the
    error page."""
    try:
        view = await to_thread.run_sync(deps.service.view, handle, read_session_token(request))
        extra: dict[str, str | None] = {"notice": notice}
        if view.flow.state is FlowState.MFA_ENROL:
            secret, uri, qr = await to_thread.run_sync(deps.service.enrolment, handle)
            extra |= {"secret": secret, "otpauth_uri": uri, "qr_svg": qr}
    except AadstsError as err:
        return error_page(request, err)
    return step_page(request, deps.csrf_key, view, handle, error, extra)


async def show_step(deps: SignInPageDeps, request: Request) -> Response:
    """GET of any flow page: render whatever step the flow is at. A `login_hint` of a tenant with seamless
    SSO skips the username page for the Kerberos step."""
    handle = request.query_params.get("flow") or ""
    if deps.seamless is not None and request.url.path == LOGIN_PATH:
        try:
            offered = await to_thread.run_sync(deps.seamless.offer_hint, handle)
        except AadstsError as err:
            return error_page(request, err)
        if offered is not None:
            return see_other(next_location(offered, handle))
    return await _step(deps, request, handle)


async def _submit(deps: SignInPageDeps, request: Request, operation: Operation) -> tuple[Response, SignInFlow | None]:
    """Common post handling: form, CSRF (bound to the flow), the operation, then where to go."""
    try:
        form = await read_form(request)
        handle = form.get("flow") or ""
        check_token(request, form, deps.csrf_key, handle)
    except AadstsError as err:
        return error_page(request, err), None
    try:
        flow = await to_thread.run_sync(operation, form, handle, read_session_token(request))
    except FlowStateError:
        return await _step(deps, request, handle), None
    except FormProblemError as problem:
        return await _step(deps, request, handle, notice=str(problem)), None
    except AadstsError as err:
        if err.code == Aadsts.FlowTokenExpired:
            return error_page(request, err), None
        return await _step(deps, request, handle, err), None
    return see_other(next_location(flow, handle)), flow


async def post_username(deps: SignInPageDeps, request: Request) -> Response:
    """Username page: next (a username), continue (the signed-in account), or another account."""
    service = deps.service

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        action = form.get("action")
        if action == "continue":
            return service.continue_as(handle, token)
        if action == "other":
            return service.another_account(handle)
        if deps.seamless is not None:
            return deps.seamless.identify(handle, form.get("username", ""))
        return service.identify(handle, form.get("username", ""))

    response, _ = await _submit(deps, request, operation)
    return response


async def post_password(deps: SignInPageDeps, request: Request) -> Response:
    """Password page: on success the new session's cookie (transient until "Stay signed in?") is set; a user
    who must change the password goes to the change page without one."""
    service = deps.service
    issued: list[str] = []
    ctx = request_context(request)
    client_ip = ctx.client_ip  # smart lockout counts per address

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        if form.get("action") == "other":
            return service.another_account(handle)
        try:
            flow, new_token = service.password(handle, form.get("password", ""), token, client_ip)
        except AadstsError as err:
            if deps.sign_ins is not None:
                deps.sign_ins.failed(handle, err, ctx)
            raise
        if new_token is not None:
            issued.append(new_token)
            if deps.sign_ins is not None:
                deps.sign_ins.succeeded(flow, ctx)
        return flow

    response, _ = await _submit(deps, request, operation)
    if issued:
        set_session_cookie(response, issued[0], persistent=False)
    return response


async def post_password_change(deps: SignInPageDeps, request: Request) -> Response:
    """ "Update your password": current, new and confirmed; on success the new session's cookie is set."""
    service = deps.service
    issued: list[str] = []

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        if form.get("action") == "other":
            return service.another_account(handle)
        new = form.get("new_password", "")
        if new != form.get("confirm_password", ""):
            raise FormProblemError("The new passwords don't match. Enter the same new password twice.")
        flow, new_token = service.change_password(handle, form.get("current_password", ""), new, token)
        if new_token is not None:  # None: a code from the authenticator app comes next
            issued.append(new_token)
        return flow

    response, _ = await _submit(deps, request, operation)
    if issued:
        set_session_cookie(response, issued[0], persistent=False)
    return response


async def _post_code(deps: SignInPageDeps, request: Request, enrol: bool) -> Response:
    """ "Enter code" / the enrolment page: a right code sets the new session's cookie."""
    service = deps.service
    issued: list[str] = []

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        if form.get("action") == "other":
            return service.another_account(handle)
        verify = service.enrol if enrol else service.verify_code
        flow, new_token = verify(handle, form.get("otc", ""), token)
        issued.append(new_token)
        return flow

    response, _ = await _submit(deps, request, operation)
    if issued:
        set_session_cookie(response, issued[0], persistent=False)
    return response


async def post_mfa(deps: SignInPageDeps, request: Request) -> Response:
    """ "Enter code": the authenticator app's current code (TOTP)."""
    return await _post_code(deps, request, enrol=False)


async def post_mfa_enrol(deps: SignInPageDeps, request: Request) -> Response:
    """Authenticator-app enrolment: the new secret's first code."""
    return await _post_code(deps, request, enrol=True)


async def post_kmsi(deps: SignInPageDeps, request: Request) -> Response:
    """ "Stay signed in?": yes turns the cookie into the persistent `ESTSAUTHPERSISTENT`."""
    service = deps.service
    answers: list[bool] = []
    handles: list[str] = []

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        answers.append(form.get("stay") == "yes")
        handles.append(handle)
        return service.stay_signed_in(handle, answers[0], token)

    response, flow = await _submit(deps, request, operation)
    token = read_session_token(request)
    if flow is not None and answers and answers[0] and token:
        set_session_cookie(response, token, persistent=True)
    if flow is not None and flow.state is FlowState.SSPR_REGISTER and deps.sign_ins is not None:
        # As Entra, the sign-in log shows the SSPR registration interrupt as 50125.
        interrupt = AadstsError.of(Aadsts.PasswordResetRegistrationRequiredInterrupt)
        deps.sign_ins.failed(handles[0], interrupt, request_context(request))
    return response


async def post_registration(deps: SignInPageDeps, request: Request) -> Response:
    """The SSPR registration interrupt: "Set up now" opens the security info page (which comes back here),
    "Remind me later" or "Done" continue to the app."""
    service = deps.service

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        if form.get("action") == "setup":
            raise SetUpNowError(with_flow(SECURITY_INFO_PATH, handle))
        return service.answer_registration(handle, form.get("action", ""), token)

    try:
        response, _ = await _submit(deps, request, operation)
    except SetUpNowError as setup:
        return see_other(str(setup))
    return response


class SetUpNowError(Exception):
    """ "Set up now": leave the flow's pages for the security info page (the message is where)."""


async def post_consent(deps: SignInPageDeps, request: Request) -> Response:
    """Consent page: accept records the grant, cancel ends the flow with AADSTS65004."""
    service = deps.service

    def operation(form: Mapping[str, str], handle: str, token: str | None) -> SignInFlow:
        return service.consent(handle, form.get("answer") == "accept", token)

    response, _ = await _submit(deps, request, operation)
    return response


def device_page(
    deps: SignInPageDeps, request: Request, error: AadstsError | None = None, code: str | None = None
) -> Response:
    """The code-entry page of the device flow (RFC 8628 §3.3)."""
    return page(request, deps.csrf_key, "signin/devicelogin.html", DEVICE_BINDING, {"user_code": code}, error)


async def show_device_login(deps: SignInPageDeps, request: Request) -> Response:
    """GET /devicelogin."""
    return device_page(deps, request, code=request.query_params.get("otc"))


async def post_device_login(deps: SignInPageDeps, request: Request) -> Response:
    """A code: wrong 70018, expired 70019, used 90120 (shown on the page); else sign in."""
    try:
        form = await read_form(request)
        check_token(request, form, deps.csrf_key, DEVICE_BINDING)
    except AadstsError as err:
        return error_page(request, err)
    code = form.get("user_code", "")
    try:
        handle = await to_thread.run_sync(deps.service.start_device, code)
    except AadstsError as err:
        return device_page(deps, request, err, code[:32])
    return see_other(with_flow(LOGIN_PATH, handle))


async def show_device_done(deps: SignInPageDeps, request: Request) -> Response:
    """The last page of a device flow: approved or declined."""
    handle = request.query_params.get("flow") or ""
    try:
        view = await to_thread.run_sync(deps.service.view, handle, None)
    except AadstsError as err:
        return error_page(request, err)
    flow = view.flow
    if flow.kind is not FlowKind.DEVICE or flow.state not in (FlowState.COMPLETE, FlowState.FAILED):
        return step_page(request, deps.csrf_key, view, handle)
    approved = flow.state is FlowState.COMPLETE
    return render_page(request, "signin/device_done.html", {"approved": approved, "app_name": view.app_name})


_STATIC = StaticFiles(directory=str(resources.files("tenantry").joinpath("web", "static")))


def signin_routes(deps: SignInPageDeps) -> list[BaseRoute]:
    """The sign-in pages bound to their dependencies, and the static assets."""
    paths = (
        *(LOGIN_PATH, PASSWORD_PATH, PASSWORD_CHANGE_PATH, MFA_PATH, MFA_ENROL_PATH, KMSI_PATH, CONSENT_PATH),
        SSPR_REGISTER_PATH,
    )
    posts = (
        *(post_username, post_password, post_password_change, post_mfa, post_mfa_enrol, post_kmsi, post_consent),
        post_registration,
    )
    steps: list[BaseRoute] = []
    for path, post in zip(paths, posts, strict=True):
        steps += [
            Route(path, partial(show_step, deps), methods=["GET"]),
            Route(path, partial(post, deps), methods=["POST"]),
        ]
    return [
        *steps,
        Route(DEVICE_LOGIN_PATH, partial(show_device_login, deps), methods=["GET"]),
        Route(DEVICE_LOGIN_PATH, partial(post_device_login, deps), methods=["POST"]),
        Route(DEVICE_DONE_PATH, partial(show_device_done, deps), methods=["GET"]),
        Mount(STATIC_PREFIX, app=_STATIC, name="static"),
    ]
