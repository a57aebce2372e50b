"""Rendering the sign-in pages: which page a flow's state shows, and where a browser goes next."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.common.master_key import MasterKey
from tenantry.errors import AadstsError
from tenantry.errors.render import page_fields
from tenantry.http.context import request_context
from tenantry.http.pages import render_page
from tenantry.http.paths import (
    CONSENT_PATH,
    DEVICE_DONE_PATH,
    KMSI_PATH,
    LOGIN_PATH,
    MFA_ENROL_PATH,
    MFA_PATH,
    PASSWORD_CHANGE_PATH,
    PASSWORD_PATH,
    SSPR_REGISTER_PATH,
    WINAUTH_PATH,
    resume_path,
    with_flow,
)
from tenantry.passwords.policy import PasswordRejectedError
from tenantry.sessions.flow import FlowKind, FlowState, SignInFlow
from tenantry.sessions.signin import FlowView
from tenantry.web.csrf import issue_token

NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}
DEVICE_BINDING = "devicelogin"
_STEP_TEMPLATES = {
    FlowState.IDENTIFY: "signin/identify.html",
    FlowState.PASSWORD: "signin/password.html",
    FlowState.PASSWORD_CHANGE: "signin/password_change.html",
    FlowState.MFA: "signin/mfa.html",
    FlowState.MFA_ENROL: "signin/mfa_enrol.html",
    FlowState.KMSI: "signin/kmsi.html",
    FlowState.SSPR_REGISTER: "signin/sspr_register.html",
}
_STEP_PATHS = {
    FlowState.IDENTIFY: LOGIN_PATH,
    FlowState.PASSWORD: PASSWORD_PATH,
    FlowState.KERBEROS: WINAUTH_PATH,
    FlowState.PASSWORD_CHANGE: PASSWORD_CHANGE_PATH,
    FlowState.MFA: MFA_PATH,
    FlowState.MFA_ENROL: MFA_ENROL_PATH,
    FlowState.KMSI: KMSI_PATH,
    FlowState.SSPR_REGISTER: SSPR_REGISTER_PATH,
}


def next_location(flow: SignInFlow, handle: str) -> str:
    """The page for the flow's state; once signed in (or finished) the STS's resume step decides."""
    path = _STEP_PATHS.get(flow.state)
    if path is not None:
        return with_flow(path, handle)
    if flow.state is FlowState.CONSENT and flow.consent is not None:
        return with_flow(CONSENT_PATH, handle)
    if flow.kind is FlowKind.DEVICE and flow.state is FlowState.COMPLETE:
        return with_flow(DEVICE_DONE_PATH, handle)
    return resume_path(flow.tenant_segment, handle)


def see_other(location: str) -> Response:
    """303 after a post (the browser follows with GET), never cached."""
    return RedirectResponse(location, status_code=303, headers=NO_STORE)


def page(
    request: Request,
    csrf_key: MasterKey,
    template: str,
    binding: str,
    values: dict[str, Any],
    error: AadstsError | None = None,
) -> Response:
    """A page with a form: the CSRF token (bound to `binding`), an inline error with the catalogue's status."""
    token = issue_token(request, csrf_key, binding)
    context = {**values, "csrf": token.value}
    status = 200
    if error is not None:
        context["error"] = page_fields(error, request_context(request))
        status = error.spec.http_status
    return token.apply(render_page(request, template, context, status=status))


def step_page(
    request: Request,
    csrf_key: MasterKey,
    view: FlowView,
    handle: str,
    error: AadstsError | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The page of the flow's current step, or a redirect when the state has no page of its own; `extra`
    are the step's own values: `notice`, a form problem found before the service was asked (new and
    confirmed passwords differ), or the enrolment page's secret, `otpauth://` URI and QR code."""
    flow = view.flow
    if error is not None:  # for the log line of the refusal
        parties = request_context(request).parties
        parties.note(
            tenant=flow.tenant_segment, tenant_id=flow.tenant_id, client_id=flow.client_id, principal=flow.user_id
        )
    if flow.state is FlowState.CONSENT and flow.consent is not None:
        values = {"handle": handle, "prompt": flow.consent, "app_name": view.app_name}
        return page(request, csrf_key, "signin/consent.html", handle, values, error)
    template = _STEP_TEMPLATES.get(flow.state)
    if template is None:
        return RedirectResponse(next_location(flow, handle), status_code=302, headers=NO_STORE)
    values = {
        "handle": handle,
        "app_name": view.app_name,
        "username": flow.username or flow.login_hint,
        "account": view.account,
        "notice": None,
        # A refused new password: Entra's sentence for people, above the AADSTS line.
        "reason": error.user_message if isinstance(error, PasswordRejectedError) else None,
        **(extra or {}),
    }
    return page(request, csrf_key, template, handle, values, error)
