"""Seamless SSO's HTTP side (sessions/kerberos.py does the work), shaped like Entra's autologon endpoint.

- `GET /login/winauth?flow=` (sign-in host): the flow's Kerberos step; sends the browser to the SSO endpoint.
- `GET /{tenant}/winauth/sso?flow=` (the SSO host, `TENANTRY_SSO_URL`, the name browsers allow-list): without
  `Authorization` it answers 401 `WWW-Authenticate: Negotiate` with a page that moves on to the fallback by
  itself (meta refresh, and a plain link: no JavaScript); with a ticket it accepts it and redirects to `done`,
  or logs the refusal's code and redirects to the password page. Nothing depends on a cookie set by the 401
  (requests-gssapi drops it): the flow handle is in the URL.
- `GET /login/winauth/done?flow=&proof=` (sign-in host): the session cookie (`amr` `wia`), then the app.
- `GET /login/winauth/fallback?flow=` (sign-in host): the challenge was not answered (81006): password page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tenantry.errors import AadstsError
from tenantry.http.context import request_context
from tenantry.http.cookies import read_session_token, set_session_cookie
from tenantry.http.pages import error_page, render_page
from tenantry.http.paths import (
    LOGIN_PATH,
    PASSWORD_PATH,
    SSO_ENDPOINT_PATH,
    STATIC_PREFIX,
    WINAUTH_DONE_PATH,
    WINAUTH_FALLBACK_PATH,
    WINAUTH_PATH,
    sso_endpoint_path,
    with_flow,
)
from tenantry.sessions.flow import FlowStateError
from tenantry.sessions.kerberos import SeamlessRefusalError, SeamlessSignIn
from tenantry.signins.pages import PageSignIns
from tenantry.web.signin.views import NO_STORE, next_location

NEGOTIATE = "Negotiate"
RETRY = "retry"


@dataclass(frozen=True)
class WinAuthDeps:
    """The Kerberos step's operations, where its sign-ins are logged, and the SSO host's base URL (None:
    the public URL, the same host as the sign-in pages)."""

    seamless: SeamlessSignIn
    sign_ins: PageSignIns | None
    sso_url: str | None = None


def _found(location: str, headers: dict[str, str] | None = None) -> Response:
    return RedirectResponse(location, status_code=302, headers={**NO_STORE, **(headers or {})})


def _public(request: Request, path: str) -> str:
    """An absolute URL on the sign-in host: the SSO endpoint may be served under another host name."""
    return request_context(request).base_url + path


def _handle(request: Request) -> str:
    return request.query_params.get("flow") or ""


async def start(deps: WinAuthDeps, request: Request) -> Response:
    """The Kerberos step's page: off to the SSO endpoint (which may be on another host name)."""
    handle = _handle(request)
    try:
        flow = await to_thread.run_sync(deps.seamless.pending, handle)
    except FlowStateError:
        return _found(with_flow(LOGIN_PATH, handle))
    except AadstsError as err:
        return error_page(request, err)
    base = deps.sso_url or request_context(request).base_url
    return _found(base + sso_endpoint_path(flow.tenant_segment, handle))


def _challenge(request: Request, handle: str) -> Response:
    """401 Negotiate; a browser that cannot answer shows the page, which goes on by itself. The first page
    challenges once more before the password page: a freshly started Chromium on Linux let its first
    Negotiate challenge pass unanswered in our tests (it loads its GSSAPI library then) and answered the next."""
    if request.query_params.get(RETRY) is None:
        next_url = str(request.url.include_query_params(**{RETRY: "1"}))
    else:
        next_url = _public(request, with_flow(WINAUTH_FALLBACK_PATH, handle))
    values = {"fallback": next_url, "static_base": STATIC_PREFIX}
    response = render_page(request, "signin/winauth.html", values, status=401)
    response.headers["WWW-Authenticate"] = NEGOTIATE
    response.headers.update(NO_STORE)
    return response


async def negotiate(deps: WinAuthDeps, request: Request) -> Response:
    """The SSO endpoint: challenge, then accept the ticket or fall back silently (the code is logged)."""
    handle = _handle(request)
    authorization = request.headers.get("authorization")
    try:
        success = await to_thread.run_sync(deps.seamless.attempt, handle, authorization or None)
        if success is None:
            return _challenge(request, handle)
    except FlowStateError:
        return _found(_public(request, with_flow(LOGIN_PATH, handle)))
    except SeamlessRefusalError as refusal:
        if deps.sign_ins is not None:
            deps.sign_ins.failed(handle, refusal.error, request_context(request))
        return _found(_public(request, with_flow(PASSWORD_PATH, handle)))
    except AadstsError as err:
        return error_page(request, err)
    done = f"{with_flow(WINAUTH_DONE_PATH, handle)}&proof={success.proof}"
    headers = {}
    if success.mutual_token:  # RFC 4559 §5: the acceptor's reply, for clients that check it
        headers["WWW-Authenticate"] = f"{NEGOTIATE} {base64.b64encode(success.mutual_token).decode('ascii')}"
    return _found(_public(request, done), headers)


async def done(deps: WinAuthDeps, request: Request) -> Response:
    """Back on the sign-in host with the ticket's proof: the session cookie, then the STS's resume step (or
    the second factor's page, when the user must give one)."""
    handle = _handle(request)
    proof = request.query_params.get("proof") or ""
    try:
        flow, token = await to_thread.run_sync(deps.seamless.complete, handle, proof, read_session_token(request))
    except FlowStateError:
        return _found(with_flow(LOGIN_PATH, handle))
    except AadstsError as err:
        return error_page(request, err)
    response = _found(next_location(flow, handle))
    if token is not None:  # None: a second factor comes first (as after a password), no session yet
        set_session_cookie(response, token, persistent=False)
        if deps.sign_ins is not None:
            deps.sign_ins.succeeded(flow, request_context(request))
    return response


async def fallback(deps: WinAuthDeps, request: Request) -> Response:
    """The browser showed the 401's page instead of answering it (81006): the password page."""
    handle = _handle(request)
    try:
        flow, error = await to_thread.run_sync(deps.seamless.decline, handle)
    except FlowStateError:
        return _found(with_flow(LOGIN_PATH, handle))
    except AadstsError as err:
        return error_page(request, err)
    if deps.sign_ins is not None:
        deps.sign_ins.failed(handle, error, request_context(request))
    return _found(next_location(flow, handle))


def winauth_routes(deps: WinAuthDeps) -> list[BaseRoute]:
    """The Kerberos step's routes bound to their dependencies."""
    return [
        Route(WINAUTH_PATH, partial(start, deps), methods=["GET"]),
        Route(WINAUTH_DONE_PATH, partial(done, deps), methods=["GET"]),
        Route(WINAUTH_FALLBACK_PATH, partial(fallback, deps), methods=["GET"]),
        Route(SSO_ENDPOINT_PATH, partial(negotiate, deps), methods=["GET"]),
    ]
