"""The interactive code flow end to end: username → password → "Stay signed in?" → consent → code, in
every response mode, with the stored code checked field by field, and MSAL's exact authorize request
(msal-compat §2.3: unknown parameters ignored, `state` echoed, `client_info` = base64url {"uid","utid"}).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tenantry.app import Services
from tenantry.directory.models import User
from tenantry.errors import Aadsts
from tenantry.protocol.authorize.service import AuthorizeService
from tenantry.tokens.opaque import token_hash

from .browser import Browser, ShiftableClock, assert_error_page, assert_page_headers, forms_of, reply_params
from .conftest import NATIVE_REDIRECT, PASSWORD, SPA_REDIRECT, WEB_REDIRECT, World, sign_in_directly

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-padding-to-be-long"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def b64json(value: str) -> object:
    """Decode base64url JSON with or without padding."""
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def msal_request(world: World, port: int = 53123, **extra: str) -> dict[str, str]:
    """What MSAL Python's `initiate_auth_code_flow` sends for a public client (msal-compat §2.3), plus the
    routing and telemetry parameters clients add, which the server ignores."""
    return {
        "client_id": world.native.app_id,
        "response_type": "code",
        "redirect_uri": f"{NATIVE_REDIRECT}:{port}",
        "scope": "User.Read offline_access openid profile",
        "state": "qZKaXbjDsTwELmNY",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "nonce": hashlib.sha256(b"nonce-secret").hexdigest(),
        "client_info": "1",
        "X-AnchorMailbox": "UPN:alice@contoso.example",
        "clidata": "1",
        "x-client-SKU": "MSAL.Python",
        "claims": '{"access_token":{"xms_cc":{"values":["CP1"]}}}',
        **extra,
    }


def test_full_interactive_flow_issues_a_code(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """Username, password, KMSI, consent, then the code at the loopback port MSAL listens on, with the
    state echoed exactly, client_info and session_state; the stored code carries what the code grant
    needs (exact redirect URI, scopes, nonce, PKCE, auth_time, 10-minute expiry)."""
    user = make_user("fullflow")
    request = msal_request(world)
    start = browser.get(world.authorize_path(), params=request)
    assert start.headers["location"].startswith("/login?flow=fl.")
    consent = browser.to_our_pages(browser.sign_in(start, user.user_principal_name, PASSWORD, stay=True))
    assert "Sign you in and read your profile" in consent.text
    response = browser.to_our_pages(browser.submit(consent, "/consent", answer="accept"))
    params = reply_params(response, request["redirect_uri"])
    assert list(params) == ["code", "client_info", "state", "session_state"]
    assert params["state"] == request["state"]
    assert b64json(params["client_info"]) == {"uid": user.id, "utid": world.tenant.id}
    with services.store.transaction() as unit:
        code = unit.find_authorization_code(token_hash(params["code"]))
    assert code is not None
    assert (code.client_id, code.user_id, code.tenant_id) == (world.native.app_id, user.id, world.tenant.id)
    assert code.redirect_uri == request["redirect_uri"]
    assert code.scopes == ("User.Read", "offline_access", "openid", "profile")
    assert (code.nonce, code.code_challenge, code.code_challenge_method) == (request["nonce"], CHALLENGE, "S256")
    assert code.session_id == params["session_state"] and not code.spa
    assert code.expires_at - code.created_at == timedelta(minutes=10)
    assert code.auth_time <= code.created_at


def test_consent_is_remembered(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """A signed-in user who lacks consent goes straight to the consent page; once accepted, the same
    request is answered silently, prompt=none included."""
    sign_in_directly(services, browser, make_user("remember"))
    request = msal_request(world)
    consent = browser.to_our_pages(browser.get(world.authorize_path(), params=request))
    assert "Permissions requested" in consent.text
    first = browser.to_our_pages(browser.submit(consent, "/consent", answer="accept"))
    assert reply_params(first, request["redirect_uri"])["code"]
    silent = browser.get(world.authorize_path(), params=msal_request(world, prompt="none"))
    assert reply_params(silent, request["redirect_uri"])["state"] == request["state"]


@pytest.mark.parametrize("mode", ["query", "fragment", "form_post"])
def test_response_modes(browser: Browser, world: World, services: Services, mode: str) -> None:
    """The code arrives in the query, the fragment, or an auto-submitting form (Form Post Response Mode)."""
    sign_in_directly(services, browser, world.alice)
    request = {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid profile",
        "state": "s-" + mode,
        "response_mode": mode,
    }
    response = browser.get(world.authorize_path(), params=request)
    params = reply_params(response, WEB_REDIRECT, mode)
    assert params["code"] and params["state"] == "s-" + mode


def test_form_post_page_submits_itself_without_inline_script(
    browser: Browser, world: World, services: Services
) -> None:
    """form_post: a static script submits the form (CSP has no 'unsafe-inline'); <noscript> has a button."""
    sign_in_directly(services, browser, world.alice)
    request = {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid",
        "response_mode": "form_post",
    }
    page = browser.get(world.authorize_path(), params=request)
    assert_page_headers(page)
    assert '<script src="/static/form_post.js" defer></script>' in page.text
    assert "<script>" not in page.text
    noscript = page.text.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert '<button type="submit"' in noscript
    script = browser.get("/static/form_post.js")
    assert script.status_code == 200 and "submit()" in script.text


def test_hybrid_code_id_token(browser: Browser, world: World, services: Services) -> None:
    """`code id_token` for an app with id-token issuance enabled: both in the fragment; the id_token
    carries the nonce and `c_hash` of the code (OIDC Core §3.3.2.11)."""
    sign_in_directly(services, browser, world.alice)
    request = {
        "client_id": world.implicit.app_id,
        "response_type": "code id_token",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid profile",
        "nonce": "nonce-123",
        "state": "hy",
    }
    params = reply_params(browser.get(world.authorize_path(), params=request), WEB_REDIRECT, "fragment")
    claims = b64json(params["id_token"].split(".")[1])
    assert isinstance(claims, dict)
    digest = hashlib.sha256(params["code"].encode()).digest()[:16]
    assert claims["c_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert (claims["nonce"], claims["aud"], claims["tid"]) == ("nonce-123", world.implicit.app_id, world.tenant.id)
    assert claims["preferred_username"] == world.alice.user_principal_name


def test_wrong_password_is_shown_on_the_page_and_can_be_retried(browser: Browser, world: World) -> None:
    """AADSTS50126 inline on the password page (status 400); the right password then continues."""
    start = browser.get(world.authorize_path(), params=msal_request(world))
    page = browser.to_our_pages(
        browser.submit(browser.to_our_pages(start), "/login", username=world.alice.user_principal_name, action="next")
    )
    wrong = browser.submit(page, "/login/password", password="nope-Nope-1", action="sign_in")
    assert wrong.status_code == 400
    assert "AADSTS50126" in wrong.text and 'role="alert"' in wrong.text
    assert 'aria-describedby="error-message"' in wrong.text
    right = browser.submit(wrong, "/login/password", password=PASSWORD, action="sign_in")
    assert right.headers["location"].startswith("/kmsi?flow=")


@pytest.mark.parametrize(
    ("username", "code"),
    [("nobody@contoso.example", Aadsts.UserAccountNotFound), ("disabled", Aadsts.UserDisabled)],
)
def test_password_page_errors(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User], username: str, code: int
) -> None:
    """50034 for an unknown user, 50057 for a disabled one (only after the password is proven)."""
    if username == "disabled":
        user = services.users.set_enabled(make_user("disabled"), False)
        username = user.user_principal_name
    start = browser.to_our_pages(browser.get(world.authorize_path(), params=msal_request(world)))
    page = browser.to_our_pages(browser.submit(start, "/login", username=username, action="next"))
    response = browser.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert response.status_code == 400 and f"AADSTS{code}" in response.text


def test_use_another_account(browser: Browser, world: World) -> None:
    """From the password page, "Use another account" goes back to an empty username page."""
    start = browser.to_our_pages(browser.get(world.authorize_path(), params=msal_request(world)))
    page = browser.to_our_pages(browser.submit(start, "/login", username="bob@contoso.example", action="next"))
    back = browser.to_our_pages(browser.submit(page, "/login/password", action="other", password=""))
    assert browser.form(back, "/login").fields["username"] == ""


def test_loopback_redirect_matches_any_port_for_public_clients_only(browser: Browser, world: World) -> None:
    """RFC 8252 §7.3: `http://localhost` registered on the public platform matches every port; a web
    redirect URI's port still counts (AADSTS50011)."""
    for port in (1024, 53123, 65000):
        response = browser.get(world.authorize_path(), params=msal_request(world, port=port))
        assert response.headers["location"].startswith("/login?flow=")
    other_host = msal_request(world, redirect_uri="http://127.0.0.1:53123")
    assert_error_page(browser.get(world.authorize_path(), params=other_host), Aadsts.InvalidReplyTo)


def test_spa_code_is_marked_spa(browser: Browser, world: World, services: Services) -> None:
    """A SPA redirect URI: PKCE accepted, and the code is marked for SPA (24-hour refresh tokens)."""
    sign_in_directly(services, browser, world.alice)
    request = {
        "client_id": world.spa.app_id,
        "response_type": "code",
        "redirect_uri": SPA_REDIRECT,
        "scope": "openid profile",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "response_mode": "fragment",
    }
    params = reply_params(browser.get(world.authorize_path(), params=request), SPA_REDIRECT, "fragment")
    with services.store.transaction() as unit:
        code = unit.find_authorization_code(token_hash(params["code"]))
    assert code is not None and code.spa


def test_plain_pkce_is_the_default_method(browser: Browser, world: World, services: Services) -> None:
    """RFC 7636 §4.3: without code_challenge_method the challenge is `plain`."""
    sign_in_directly(services, browser, world.alice)
    request = msal_request(world, scope="openid profile", code_challenge=VERIFIER)
    del request["code_challenge_method"]
    params = reply_params(browser.get(world.authorize_path(), params=request), request["redirect_uri"])
    with services.store.transaction() as unit:
        code = unit.find_authorization_code(token_hash(params["code"]))
    assert code is not None and (code.code_challenge, code.code_challenge_method) == (VERIFIER, "plain")


def test_authorize_accepts_post(browser: Browser, world: World, services: Services) -> None:
    """OIDC Core §3.1.2.1: the request may be form-posted; the answer is a 303 to the app."""
    sign_in_directly(services, browser, world.alice)
    form = {"client_id": world.web.app_id, "response_type": "code", "redirect_uri": WEB_REDIRECT, "scope": "openid"}
    response = browser.post(world.authorize_path(), form)
    assert response.status_code == 303 and reply_params(response, WEB_REDIRECT)["code"]


def test_domain_path_and_multi_tenant_common(browser: Browser, world: World, services: Services) -> None:
    """The tenant may be named by domain; a multi-tenant app on /common issues in the user's tenant."""
    sign_in_directly(services, browser, world.alice)
    base = {"response_type": "code", "redirect_uri": WEB_REDIRECT, "scope": "openid"}
    by_domain = browser.get(world.authorize_path("Contoso.Example"), params={"client_id": world.web.app_id, **base})
    assert reply_params(by_domain, WEB_REDIRECT)["code"]
    common = browser.get(world.authorize_path("common"), params={"client_id": world.multi.app_id, **base})
    params = reply_params(common, WEB_REDIRECT)
    with services.store.transaction() as unit:
        code = unit.find_authorization_code(token_hash(params["code"]))
    assert code is not None and code.tenant_id == world.tenant.id


def test_unknown_or_expired_flow_is_50089(browser: Browser, world: World, clock: ShiftableClock) -> None:
    """AADSTS50089 (flow expired) on the error page for an unknown handle or one older than 30 minutes."""
    assert_error_page(browser.get("/login?flow=fl.nope"), Aadsts.FlowTokenExpired)
    location = browser.get(world.authorize_path(), params=msal_request(world)).headers["location"]
    clock.advance(31 * 60)
    assert_error_page(browser.get(location), Aadsts.FlowTokenExpired)


def test_a_finished_flow_cannot_be_resumed_again(
    browser: Browser, world: World, make_user: Callable[..., User]
) -> None:
    """The resume step completes a flow once: replaying its URL shows 50089, no second code."""
    user = make_user("replay")
    start = browser.get(world.authorize_path(), params=msal_request(world, scope="openid profile"))
    resume = browser.sign_in(start, user.user_principal_name, PASSWORD)
    assert "/authorize/resume?flow=" in resume.headers["location"]
    first = browser.follow(resume)
    assert reply_params(first, msal_request(world)["redirect_uri"])["code"]
    assert_error_page(browser.follow(resume), Aadsts.FlowTokenExpired)


def test_two_resumes_racing_for_one_flow_issue_one_code(
    browser: Browser, world: World, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click: both resumes plan from the signed-in flow before either completes it (each plan is
    read in its own transaction). The completion is a compare-and-set, so one issues a code and the other
    shows 50089, with nothing written."""
    user = make_user("race")
    start = browser.get(world.authorize_path(), params=msal_request(world, scope="openid profile"))
    resume = browser.sign_in(start, user.user_principal_name, PASSWORD)
    plan = AuthorizeService._plan
    racing, winners = [True], []

    def plan_while_another_resume_wins(self: AuthorizeService, *args: Any) -> Any:
        planned = plan(self, *args)
        if racing:
            racing.clear()
            winners.append(browser.follow(resume))  # the other request plans and completes meanwhile
        return planned

    monkeypatch.setattr(AuthorizeService, "_plan", plan_while_another_resume_wins)
    loser = browser.follow(resume)
    assert reply_params(winners[0], msal_request(world)["redirect_uri"])["code"]
    assert_error_page(loser, Aadsts.FlowTokenExpired)


def test_username_page_is_accessible(browser: Browser, world: World) -> None:
    """Every visible input has a <label for>, the page declares its language, the field autocompletes."""
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=msal_request(world)))
    assert '<html lang="en">' in page.text
    for form in forms_of(page.text):
        assert form.ids <= form.labels | {"continue-as"}
    assert 'autocomplete="username"' in page.text
