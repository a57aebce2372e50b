"""MSAL Python's `PublicClientApplication`, unmodified, signing a user in through the real sign-in pages
in headless Chromium: auth code + PKCE (msal-compat §2.3), then silent from the cache and a silent refresh
(§2.4); SSO with `prompt=none` and its end at sign-out (entra-reference §3.4, OIDC Core §3.1.2.1).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from support.tokens import decode_unverified, verify_rs256
from tenantry.apps.first_party import GRAPH_URI
from tenantry.directory.models import User

from .conftest import PASSWORD, Live
from .pages import Loopback, SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")]

SCOPES = ["User.Read"]


def check_id_token(live: Live, result: dict[str, Any], user: User, flow: dict[str, Any]) -> dict[str, Any]:
    """The id_token is signed by a published key and carries Entra's v2.0 claims for this user and app,
    with `nonce` = the authorize request's `nonce` verbatim (MSAL sends the SHA-256 hex of its secret)."""
    claims = verify_rs256(result["id_token"], live.jwks()).claims
    sent_nonce = dict(parse_qsl(urlsplit(flow["auth_uri"]).query))["nonce"]
    assert claims["nonce"] == sent_nonce == hashlib.sha256(flow["nonce"].encode()).hexdigest()
    assert claims["aud"] == live.desktop.app_id
    assert claims["iss"] == f"{live.base_url}/{live.tenant.id}/v2.0"
    assert (claims["tid"], claims["oid"], claims["preferred_username"]) == (
        live.tenant.id,
        user.id,
        user.user_principal_name,
    )
    assert claims["name"] == user.display_name and claims["ver"] == "2.0"
    assert claims["sub"] and claims["sub"] != user.id, "sub is pairwise per app, not the object id"
    assert claims["sid"] and claims["uti"]
    now = time.time()
    assert claims["iat"] <= now + 5 and claims["nbf"] <= now + 5 < claims["exp"]
    return claims


def sign_in_interactively(
    live: Live, page: Page, pages: SignInPages, loopback: Loopback, user: User, *, stay: bool = True
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """initiate_auth_code_flow → the browser signs in and consents → acquire_token_by_auth_code_flow."""
    app = live.msal_app()
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=loopback.redirect_uri)
    page.goto(flow["auth_uri"])
    pages.expect_heading("Sign in")
    pages.sign_in(user.user_principal_name, PASSWORD, stay=stay)
    pages.expect_heading("Permissions requested")
    pages.consent(accept=True)
    reply = loopback.reply()
    assert set(reply) >= {"code", "state", "client_info"} and reply["state"] == flow["state"]
    live.server.guard.watch("authorization code", reply["code"])
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "access_token" in result, f"{result.get('error')}: {result.get('error_description')}"
    live.watch(result)
    return app, flow, result


def test_auth_code_pkce_then_silent_from_cache_and_refresh(
    env: Live, page: Page, pages: SignInPages, loopback: Loopback, make_user: Callable[..., User]
) -> None:
    """The full interactive round trip in a real browser; the id_token nonce and claims are Entra's;
    acquire_token_silent is served from MSAL's cache, and force_refresh redeems the refresh token for
    new tokens (the refresh token rotates)."""
    user = make_user("pkce", "Pat Kim")
    app, flow, result = sign_in_interactively(env, page, pages, loopback, user)
    assert flow["code_verifier"] and "code_challenge_method=S256" in flow["auth_uri"]
    check_id_token(env, result, user, flow)
    access = decode_unverified(result["access_token"]).claims
    # Graph takes v1 tokens: aud is the identifier URI the scope defaulted to (entra-reference §2.1).
    assert (access["aud"], access["scp"], access["oid"]) == (GRAPH_URI, "User.Read", user.id)
    [account] = app.get_accounts()
    assert account["home_account_id"] == f"{user.id}.{env.tenant.id}"
    assert account["username"] == user.user_principal_name

    cached = app.acquire_token_silent(SCOPES, account=account)
    assert cached is not None and cached["token_source"] == "cache"
    assert cached["access_token"] == result["access_token"]

    refreshed = app.acquire_token_silent(SCOPES, account=account, force_refresh=True)
    assert refreshed is not None, "the silent refresh failed"
    assert refreshed["token_source"] == "identity_provider", refreshed
    env.watch(refreshed)
    assert refreshed["access_token"] != result["access_token"]
    assert refreshed["refresh_token"] != result["refresh_token"], "refresh tokens rotate"
    assert decode_unverified(refreshed["access_token"]).claims["scp"] == "User.Read"


def test_prompt_none_uses_the_session_cookie_until_sign_out(
    env: Live, page: Page, pages: SignInPages, loopback: Loopback, make_user: Callable[..., User]
) -> None:
    """After an interactive sign-in with "Stay signed in", `prompt=none` gets a code with no page shown
    (same SSO session: same `sid`); after sign-out the same request comes back as 50058 login_required."""
    user = make_user("sso", "Sam Sso")
    app, _, first = sign_in_interactively(env, page, pages, loopback, user, stay=True)
    cookies = {c["name"]: c for c in page.context.cookies()}
    persistent = cookies["ESTSAUTHPERSISTENT"]
    assert persistent["httpOnly"] and persistent["secure"] and persistent["sameSite"] == "None"
    assert persistent["expires"] > time.time() + 86_400, "the persistent cookie outlives the browser session"

    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    silent_flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=loopback.redirect_uri, prompt="none")
    page.goto(silent_flow["auth_uri"])
    reply = loopback.reply()
    assert "code" in reply, reply
    assert not [url for url in visited if "/login" in url or "/kmsi" in url or "/consent" in url], visited
    env.server.guard.watch("authorization code", reply["code"])
    silent = app.acquire_token_by_auth_code_flow(silent_flow, reply)
    assert "access_token" in silent, silent
    env.watch(silent)
    claims = decode_unverified(silent["id_token"]).claims
    assert claims["sid"] == decode_unverified(first["id_token"]).claims["sid"]

    page.goto(f"{env.authority}/oauth2/v2.0/logout")
    pages.expect_heading("You signed out of your account")
    assert not [c for c in page.context.cookies() if c["name"].startswith("ESTSAUTH")]

    after_flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=loopback.redirect_uri, prompt="none")
    page.goto(after_flow["auth_uri"])
    error = loopback.reply()
    assert error["error"] == "login_required" and error["state"] == after_flow["state"], error
    assert error["error_description"].startswith("AADSTS50058: ")
    assert error["error_uri"] == f"{env.base_url}/error?code=50058"
    outcome = app.acquire_token_by_auth_code_flow(after_flow, error)
    assert outcome["error"] == "login_required" and "access_token" not in outcome


def test_form_post_reply_is_submitted_by_the_page_script(
    env: Live, page: Page, pages: SignInPages, loopback: Loopback, make_user: Callable[..., User]
) -> None:
    """`response_mode=form_post` (what MSAL recommends): the reply page's first-party script posts the code
    to the redirect URI under the page's CSP (no inline script), and MSAL redeems it."""
    user = make_user("formpost", "Fran Post")
    app = env.msal_app()
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=loopback.redirect_uri, response_mode="form_post")
    assert "response_mode=form_post" in flow["auth_uri"]
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(flow["auth_uri"])
    pages.sign_in(user.user_principal_name, PASSWORD, stay=False)
    pages.consent(accept=True)
    reply = loopback.reply("POST")
    assert not [line for line in console if "Content Security Policy" in line], console
    assert reply["state"] == flow["state"] and "code" in reply, reply
    env.server.guard.watch("authorization code", reply["code"])
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "access_token" in result, f"{result.get('error')}: {result.get('error_description')}"
    env.watch(result)
    assert result["id_token_claims"]["oid"] == user.id
