"""MSAL Python's own auth-code flow against the in-process app: `initiate_auth_code_flow` builds the
authorize URL, the sign-in pages are driven by hand, and `acquire_token_by_auth_code_flow` checks the
reply (state, client_info) and redeems the code (msal-compat §2.3).

MSAL talks HTTP through a small adapter over `TestClient` (its `http_client` hook), so no socket is
opened. The live-server tests with Chromium and msal-node live in the compat suite.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import msal
import pytest

from tenantry.directory.models import User
from tenantry.errors import Aadsts

from .browser import BASE_URL, Browser
from .conftest import PASSWORD, World

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

REDIRECT = "http://localhost:53999"


class MsalHttp:
    """MSAL's `http_client` contract (get/post/close returning requests-like responses) over TestClient."""

    def __init__(self, app: Starlette) -> None:
        self._client = TestClient(app, base_url=BASE_URL, follow_redirects=False)

    def get(self, url: str, params: Mapping[str, Any] | None = None, headers: Any = None, **_: Any) -> httpx.Response:
        """GET, ignoring transport options (timeout, verify) MSAL may pass."""
        return self._client.get(url, params=params, headers=headers)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_: Any) -> httpx.Response:
        """POST a form."""
        return self._client.post(url, params=params, data=data, headers=headers)

    def close(self) -> None:
        """Nothing to release."""


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
def test_msal_initiate_and_acquire_by_auth_code_flow(
    app: Starlette, browser: Browser, world: World, make_user: Callable[..., User]
) -> None:
    """MSAL's URL is accepted as is (nonce, PKCE S256, client_info=1, login_hint + X-AnchorMailbox); the
    reply passes MSAL's state and client_info checks; the token response carries MSAL's nonce."""
    user = make_user("msal")
    client = msal.PublicClientApplication(
        world.native.app_id,
        authority=f"{BASE_URL}/{world.tenant.id}",
        instance_discovery=False,
        http_client=MsalHttp(app),
    )
    flow = client.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name)
    auth_uri = urlsplit(flow["auth_uri"])
    assert "X-AnchorMailbox" in auth_uri.query
    start = browser.get(f"{auth_uri.path}?{auth_uri.query}")
    page = browser.to_our_pages(start)
    assert browser.form(page, "/login").fields["username"] == user.user_principal_name
    consent = browser.to_our_pages(browser.sign_in(page, user.user_principal_name, PASSWORD))
    reply = browser.to_our_pages(browser.submit(consent, "/consent", answer="accept"))
    location = reply.headers["location"]
    assert location.startswith(REDIRECT)
    auth_response = dict(parse_qsl(urlsplit(location).query))
    result = client.acquire_token_by_auth_code_flow(flow, auth_response)
    if result.get("error_codes") == [Aadsts.UnsupportedGrantType]:
        pytest.skip("the authorization_code grant is not registered yet")
    assert "access_token" in result, result
    # MSAL sends SHA-256(nonce) as `nonce` and expects it verbatim in the id_token.
    assert result["id_token_claims"]["nonce"] == hashlib.sha256(flow["nonce"].encode()).hexdigest()
    assert result["id_token_claims"]["oid"] == user.id
