"""MSAL Python's device flow with the code approved by a person in a real browser: `initiate_device_flow`,
then `/devicelogin` in Chromium (RFC 8628 §3.3), the sign-in pages and consent, then
`acquire_token_by_device_flow` (msal-compat §2.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from support.tokens import decode_unverified
from tenantry.directory.models import User

from .conftest import PASSWORD, Live
from .pages import SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_device_code_approved_in_the_browser(
    env: Live, page: Page, pages: SignInPages, make_user: Callable[..., User]
) -> None:
    """A mistyped code is refused on the page (AADSTS70018, the field marked invalid); the right one, typed
    in lower case, leads through sign-in and consent to "You're signed in", and the device's first
    poll then gets the user's tokens. "Stay signed in: No" leaves only a session cookie."""
    user = make_user("device", "Dee Vice")
    app = env.msal_app()
    flow = app.initiate_device_flow(scopes=["User.Read"])
    assert "user_code" in flow, flow
    env.server.guard.watch("device code", flow["device_code"])

    page.goto(flow["verification_uri"])
    pages.expect_heading("Enter code")
    pages.enter_device_code("ZZZZZZZZ9")
    assert page.locator("#error-message").inner_text().startswith("AADSTS70018")
    assert page.locator("#user_code").get_attribute("aria-invalid") == "true"

    pages.enter_device_code(flow["user_code"].lower())
    pages.sign_in(user.user_principal_name, PASSWORD, stay=False)
    pages.expect_heading("Permissions requested")
    pages.consent(accept=True)
    pages.expect_heading("You're signed in")
    assert "Contoso Desktop" in page.locator("main").inner_text()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "ESTSAUTHPERSISTENT" not in cookies, "Stay signed in: No gives no persistent cookie"
    assert cookies["ESTSAUTH"]["expires"] == -1, "ESTSAUTH is a session cookie"

    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, f"{result.get('error')}: {result.get('error_description')}"
    env.watch(result)
    assert result["id_token_claims"]["oid"] == user.id
    assert decode_unverified(result["access_token"]).claims["scp"] == "User.Read"
