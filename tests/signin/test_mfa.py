"""MFA in the interactive sign-in (issue 12 §3): a Temporary Access Pass in the password field leads to
authenticator-app enrolment (the secret as text, an `otpauth://` link and a QR code); the first code stores
the method; from then on a code follows the password, and tokens carry `amr` `pwd mfa`. Wrong and replayed
codes are refused (AADSTS50074 on the page); a once-only pass works once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import msal
import pyotp
import pytest

from tenantry.app import Services
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.models import User
from tenantry.sessions.flow import FlowState
from tenantry.sessions.mfa import MethodType

from .browser import Browser, ShiftableClock, assert_page_headers
from .conftest import PASSWORD, World
from .test_password_change import REDIRECT, _path, flow_state, msal_client

if TYPE_CHECKING:
    from starlette.applications import Starlette

pytestmark = pytest.mark.filterwarnings("ignore:response_mode=.form_post. is recommended")


def issue_pass(services: Services, user: User, *, once: bool = False) -> str:
    """An administrator's Temporary Access Pass for `user`."""
    ctx = AuditContext(Actor("user", "admin", "admin"), services.clock.now())
    return services.auth_methods.issue_pass(user, ctx=ctx, usable_once=once).value


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload (the signature is tested elsewhere)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def start(
    client: msal.PublicClientApplication, browser: Browser, user: User
) -> tuple[dict[str, object], httpx.Response]:
    """MSAL's auth-code flow up to the password page."""
    flow = client.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name)
    page = browser.to_our_pages(browser.get(_path(flow["auth_uri"])))
    if 'action="/login"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/login", username=user.user_principal_name, action="next"))
    assert 'action="/login/password"' in page.text
    return flow, page


def finish(
    client: msal.PublicClientApplication, browser: Browser, flow: dict[str, object], page: httpx.Response
) -> dict[str, object]:
    """ "Stay signed in?", consent when asked, then MSAL's token."""
    page = browser.to_our_pages(browser.submit(page, "/kmsi", stay="no"))
    if 'action="/consent"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    reply = dict(parse_qsl(urlsplit(page.headers["location"]).query))
    result: dict[str, object] = client.acquire_token_by_auth_code_flow(flow, reply)
    assert "access_token" in result, result
    return result


def enrol(browser: Browser, page: httpx.Response, clock: ShiftableClock) -> tuple[pyotp.TOTP, httpx.Response]:
    """On the enrolment page: read the secret (as a person would type it), check the link, send a code."""
    assert "<h1>Set up your authenticator app</h1>" in page.text
    assert "<script" not in page.text and "<svg" in page.text
    form = browser.form(page, "/login/mfa/enrol")
    assert {"flow", "csrf_token", "otc"} <= set(form.fields) and "otc" in form.labels
    link = page.text.split('id="otpauth-link"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith("otpauth://totp/")
    secret = parse_qs(urlsplit(link).query)["secret"][0]
    assert f'value="{secret}"' in page.text  # the secret as text, for people who cannot scan
    totp = pyotp.TOTP(secret)
    posted = browser.submit(page, "/login/mfa/enrol", otc=totp.at(clock.now()), action="verify")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/kmsi?flow="), posted.text[:500]
    return totp, browser.follow(posted)


def test_pass_then_enrolment_then_code_after_password(
    app: Starlette,
    browser: Browser,
    world: World,
    services: Services,
    make_user: Callable[..., User],
    clock: ShiftableClock,
) -> None:
    """TAP → enrolment (no session before the code) → token with `amr` `mfa`; next time: password → "Enter
    code" → token with `amr` `pwd mfa`; the method is listed; the registration is audited."""
    user = make_user("mfa")
    tap = issue_pass(services, user)
    client = msal_client(app, world)
    flow, page = start(client, browser, user)
    posted = browser.submit(page, "/login/password", password=tap, action="sign_in")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login/mfa/enrol?flow=")
    assert browser.cookie("ESTSAUTH") is None
    enrol_page = browser.follow(posted)
    assert_page_headers(enrol_page)
    assert flow_state(services, enrol_page) is FlowState.MFA_ENROL
    totp, kmsi = enrol(browser, enrol_page, clock)
    assert browser.cookie("ESTSAUTH")
    first = finish(client, browser, flow, kmsi)
    assert "mfa" in claims(str(first["access_token"]))["amr"]
    methods = services.auth_methods.list_methods(user)
    assert [m.type for m in methods] == [MethodType.TEMPORARY_ACCESS_PASS, MethodType.SOFTWARE_OATH]
    assert methods[1].sealed_secret is not None and totp.secret.encode() not in methods[1].sealed_secret
    activities = [r.activity for r in services.audit.list_records(user.tenant_id) if r.targets[0].id == user.id]
    assert "User registered security info" in activities

    clock.advance(31)
    second = Browser(app)
    flow, page = start(client, second, user)
    posted = second.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login/mfa?flow=")
    assert second.cookie("ESTSAUTH") is None
    code_page = second.follow(posted)
    assert "<h1>Enter code</h1>" in code_page.text and 'autocomplete="one-time-code"' in code_page.text
    wrong = second.submit(code_page, "/login/mfa", otc="000000" if totp.now() != "000000" else "111111")
    assert wrong.status_code == 400 and "AADSTS50074" in wrong.text
    assert flow_state(services, wrong) is FlowState.MFA
    code = totp.at(clock.now())
    posted = second.submit(code_page, "/login/mfa", otc=code, action="verify")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/kmsi?flow=")
    result = finish(client, second, flow, second.follow(posted))
    assert set(claims(str(result["access_token"]))["amr"]) == {"pwd", "mfa"}

    # The same code again (same time step) in a third sign-in: refused.
    third = Browser(app)
    _, page = start(client, third, user)
    code_page = third.to_our_pages(third.submit(page, "/login/password", password=PASSWORD, action="sign_in"))
    replayed = third.submit(code_page, "/login/mfa", otc=code, action="verify")
    assert replayed.status_code == 400 and "AADSTS50074" in replayed.text
    # The refresh token keeps the session's methods.
    refreshed = client.acquire_token_by_refresh_token(str(result["refresh_token"]), ["User.Read"])
    assert set(claims(str(refreshed["access_token"]))["amr"]) == {"pwd", "mfa"}


def test_once_only_pass_works_once(
    app: Starlette, browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """A once-only TAP is spent by its first use: the second is a wrong password (50126)."""
    user = make_user("once")
    tap = issue_pass(services, user, once=True)
    client = msal_client(app, world)
    _, page = start(client, browser, user)
    posted = browser.submit(page, "/login/password", password=tap, action="sign_in")
    assert posted.headers["location"].startswith("/login/mfa/enrol?flow=")
    again = Browser(app)
    _, page = start(client, again, user)
    refused = again.submit(page, "/login/password", password=tap, action="sign_in")
    assert refused.status_code == 400 and "AADSTS50126" in refused.text


def test_enrolment_refuses_a_wrong_code_and_offers_another_account(
    app: Starlette, browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """A wrong first code leaves the page (and no method) in place; "Use another account" leaves it."""
    user = make_user("wrongcode")
    client = msal_client(app, world)
    _, page = start(client, browser, user)
    page = browser.to_our_pages(
        browser.submit(page, "/login/password", password=issue_pass(services, user), action="sign_in")
    )
    refused = browser.submit(page, "/login/mfa/enrol", otc="12345x", action="verify")
    assert refused.status_code == 400 and "AADSTS50074" in refused.text and "otpauth://totp/" in refused.text
    assert [m.type for m in services.auth_methods.list_methods(user)] == [MethodType.TEMPORARY_ACCESS_PASS]
    other = browser.to_our_pages(browser.submit(refused, "/login/mfa/enrol", action="other"))
    assert 'action="/login"' in other.text


def test_required_mfa_enrols_after_the_password(
    app: Starlette,
    browser: Browser,
    world: World,
    services: Services,
    make_user: Callable[..., User],
    clock: ShiftableClock,
) -> None:
    """Per-user MFA `enforced` and no authenticator app: password → enrolment → token with `amr` `pwd mfa`;
    `disabled` again and an app registered: the code is still asked (registration decides)."""
    user = make_user("required")
    ctx = AuditContext(Actor("user", "admin", "admin"), services.clock.now())
    services.auth_methods.set_mfa_state(user, "enforced", ctx=ctx)
    client = msal_client(app, world)
    flow, page = start(client, browser, user)
    posted = browser.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login/mfa/enrol?flow=")
    assert browser.cookie("ESTSAUTH") is None
    _, kmsi = enrol(browser, browser.follow(posted), clock)
    result = finish(client, browser, flow, kmsi)
    assert sorted(claims(str(result["access_token"]))["amr"]) == ["mfa", "pwd"]
    services.auth_methods.set_mfa_state(user, "disabled", ctx=ctx)
    again = Browser(app)
    _, page = start(client, again, user)
    posted = again.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert posted.headers["location"].startswith("/login/mfa?flow=")
