"""Issue 12's browser test: MSAL Python's `acquire_token_interactive` in headless Chromium passing the TOTP
pages. An administrator issues bob a one-time Temporary Access Pass; bob types it in the password field, sets
up an authenticator app on the enrolment page (the secret read as text, the `otpauth://` link beside the QR
code), and MSAL gets a token with `amr` `mfa`; signing in again (prompt=login) asks for his password and then
for a code ("Enter code"), and the token's `amr` is `pwd mfa`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from support.tokens import decode_unverified
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.directory.models import User

from .conftest import PASSWORD, Live
from .pages import SignInPages
from .test_password_change import Interactive, finish

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser]


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
def test_msal_interactive_passes_the_totp_pages(
    env: Live,
    page: Page,
    pages: SignInPages,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TAP → enrolment (a wrong code refused on the page) → consent → token (`amr` has `mfa`); then
    password → "Enter code" → token (`amr` `pwd mfa`)."""
    from playwright.sync_api import expect  # here: the suite must import (and skip) without Playwright

    bob = make_user("bob", "Bob Jones")
    ctx = AuditContext(SYSTEM, env.services.clock.now())
    tap = env.services.auth_methods.issue_pass(bob, ctx=ctx, usable_once=True).value
    env.server.guard.watch("temporary access pass", tap)
    app = env.msal_app()

    first = Interactive(app, monkeypatch, login_hint=bob.user_principal_name)
    page.goto(first.auth_uri())
    pages.expect_heading("Sign in")
    pages.enter_username(bob.user_principal_name)
    pages.expect_heading("Enter password")
    pages.enter_password(tap)
    pages.expect_heading("Set up your authenticator app")
    secret = page.locator("#secret").input_value()
    env.server.guard.watch("totp secret", secret)
    link = page.locator("#otpauth-link").get_attribute("href") or ""
    assert link.startswith("otpauth://totp/") and parse_qs(urlsplit(link).query)["secret"] == [secret]
    expect(page.locator("#qr-code svg")).to_be_visible()
    totp = pyotp.TOTP(secret)
    page.locator("#otc").fill("000000" if totp.now() != "000000" else "111111")
    page.locator("#verify").click()
    expect(page.locator("#error-message")).to_contain_text("AADSTS50074")
    page.locator("#otc").fill(totp.now())
    page.locator("#verify").click()
    pages.expect_heading("Stay signed in?")
    pages.stay_signed_in(stay=False)
    pages.expect_heading("Permissions requested")
    pages.consent(accept=True)
    enrolled = finish(page, first, env)
    assert "mfa" in decode_unverified(enrolled["access_token"]).claims["amr"]

    second = Interactive(app, monkeypatch, login_hint=bob.user_principal_name, prompt="login")
    page.goto(second.auth_uri())
    pages.expect_heading("Enter password")
    pages.enter_password(PASSWORD)
    pages.expect_heading("Enter code")
    page.locator("#otc").fill(totp.at(time.time() + 30))  # the next step: the enrolment's code is spent
    page.locator("#verify").click()
    pages.expect_heading("Stay signed in?")
    pages.stay_signed_in(stay=False)
    after = finish(page, second, env)
    claims = decode_unverified(after["access_token"]).claims
    assert claims["oid"] == bob.id and sorted(claims["amr"]) == ["mfa", "pwd"]
