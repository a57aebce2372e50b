"""`/{tenant}/oauth2/v2.0/logout` (OIDC RP-Initiated Logout 1.0): the session ends server-side, both
cookies are cleared, and the browser returns only to a registered post_logout_redirect_uri."""

from __future__ import annotations

import base64
import json

from tenantry.app import Services
from tenantry.errors import Aadsts

from .browser import Browser, assert_error_reply, assert_page_headers
from .conftest import LOGOUT_REDIRECT, WEB_REDIRECT, World, sign_in_directly


def logout_path(world: World) -> str:
    """The tenant's end_session_endpoint."""
    return f"/{world.tenant.id}/oauth2/v2.0/logout"


def silent(world: World) -> dict[str, str]:
    """A prompt=none request: tells whether a session is still usable."""
    return {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid",
        "prompt": "none",
    }


def test_logout_ends_the_session_and_clears_cookies(browser: Browser, world: World, services: Services) -> None:
    """After sign-out the old cookie is worthless (prompt=none → 50058) and both cookies are expired."""
    sign_in_directly(services, browser, world.alice)
    token = browser.cookie("ESTSAUTH")
    assert token
    response = browser.get(logout_path(world))
    assert response.status_code == 200 and "You signed out" in response.text
    assert_page_headers(response)
    cleared = " ".join(response.headers.get_list("set-cookie"))
    assert 'ESTSAUTH=""' in cleared and 'ESTSAUTHPERSISTENT=""' in cleared
    browser.set_session_cookie(token)
    after = browser.get(world.authorize_path(), params=silent(world))
    assert_error_reply(after, Aadsts.UserInformationNotProvided, WEB_REDIRECT)


def test_registered_post_logout_redirect_uri_is_followed_with_state(
    browser: Browser, world: World, services: Services
) -> None:
    """A URI registered on the app (any platform) is followed, with `state` echoed."""
    sign_in_directly(services, browser, world.alice)
    params = {"post_logout_redirect_uri": LOGOUT_REDIRECT, "client_id": world.web.app_id, "state": "bye"}
    response = browser.get(logout_path(world), params=params)
    assert response.status_code == 302
    assert response.headers["location"] == f"{LOGOUT_REDIRECT}?state=bye"


def test_unregistered_post_logout_redirect_uri_is_not_followed(browser: Browser, world: World) -> None:
    """An open redirect is refused: the signed-out page instead."""
    params = {"post_logout_redirect_uri": "https://evil.example/", "client_id": world.web.app_id}
    response = browser.get(logout_path(world), params=params)
    assert response.status_code == 200 and "location" not in response.headers


def test_id_token_hint_names_the_app(browser: Browser, world: World) -> None:
    """Without client_id, the id_token_hint's audience says whose URIs count as registered."""
    payload = base64.urlsafe_b64encode(json.dumps({"aud": world.web.app_id}).encode()).rstrip(b"=").decode()
    params = {"post_logout_redirect_uri": LOGOUT_REDIRECT, "id_token_hint": f"eyJhbGciOiJub25lIn0.{payload}."}
    response = browser.get(logout_path(world), params=params)
    assert response.headers["location"] == LOGOUT_REDIRECT


def test_logout_accepts_post(browser: Browser, world: World, services: Services) -> None:
    """POST works as GET does (Entra accepts both)."""
    sign_in_directly(services, browser, world.alice)
    response = browser.post(logout_path(world), {"post_logout_redirect_uri": LOGOUT_REDIRECT})
    assert response.status_code == 303 and response.headers["location"] == LOGOUT_REDIRECT
