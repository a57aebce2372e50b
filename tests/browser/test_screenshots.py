"""Screenshots of every sign-in page, for the README, taken in Chromium at a fixed 1100x800 viewport.

The walk always runs (each page must render with its key elements); the PNGs go to `docs/screenshots/`
only with TENANTRY_SCREENSHOTS=1 (`TENANTRY_SCREENSHOTS=1 .venv/bin/pytest tests/browser -k screenshots`),
otherwise to a temporary directory, so CI never rewrites tracked files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyotp
import pytest

from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.directory.models import User

from .conftest import DOMAIN, PASSWORD, Live
from .pages import Loopback, SignInPages
from .test_password_change import TEMPORARY, admin_reset

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:response_mode=.form_post. is recommended")]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Camera:
    """Saves numbered full-viewport PNGs of the page into one directory."""

    def __init__(self, page: Page, directory: Path) -> None:
        self.page = page
        self.directory = directory
        self.taken: list[Path] = []
        directory.mkdir(parents=True, exist_ok=True)

    def shoot(self, name: str) -> None:
        """`NN-name.png`, with animations stopped and the text caret hidden."""
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), animations="disabled", caret="hide")
        self.taken.append(path)


@pytest.fixture
def camera(page: Page, tmp_path: Path) -> Camera:
    """Into docs/screenshots with TENANTRY_SCREENSHOTS=1, else into the test's temporary directory."""
    return Camera(page, DOCS_SCREENSHOTS if os.environ.get("TENANTRY_SCREENSHOTS") == "1" else tmp_path)


def test_screenshots_of_every_page(
    env: Live, page: Page, pages: SignInPages, loopback: Loopback, camera: Camera
) -> None:
    """Username, password (and a wrong one), "Stay signed in?", consent, device code entry, account
    picker, device approved, an error page, the signed-out page, and "Update your password" after an
    administrator's reset (and a refused new password), authenticator-app enrolment and "Enter code", each
    asserted before it is shot."""
    user = env.services.users.create_user(env.tenant.id, f"alice@{DOMAIN}", PASSWORD, "Alice Smith")
    app = env.msal_app()
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=loopback.redirect_uri)
    page.goto(flow["auth_uri"])
    pages.expect_heading("Sign in")
    page.locator("#username").fill(user.user_principal_name)
    camera.shoot("username")
    page.locator("#next").click()
    pages.expect_heading("Enter password")
    camera.shoot("password")
    pages.enter_password("Not-the-Passw0rd")
    page.locator("#error-message").wait_for()
    camera.shoot("password-wrong")
    pages.enter_password(PASSWORD)
    pages.expect_heading("Stay signed in?")
    camera.shoot("stay-signed-in")
    pages.stay_signed_in(stay=True)
    pages.expect_heading("Permissions requested")
    camera.shoot("consent")
    pages.consent(accept=True)
    assert "code" in loopback.reply()

    device = app.initiate_device_flow(scopes=["User.Read"])
    env.server.guard.watch("device code", device["device_code"])
    page.goto(device["verification_uri"])
    pages.expect_heading("Enter code")
    page.locator("#user_code").fill(device["user_code"])
    camera.shoot("device-code")
    page.locator("#next").click()
    pages.expect_heading("Pick an account")
    camera.shoot("account-picker")
    page.locator("#continue-as").click()
    pages.expect_heading("You're signed in")
    camera.shoot("device-signed-in")

    # An unregistered redirect URI on the server itself: were it (wrongly) followed, nothing leaves the machine.
    unregistered = quote(f"{env.base_url}/not-registered", safe="")
    page.goto(
        f"{env.authority}/oauth2/v2.0/authorize?client_id={env.desktop.app_id}&response_type=code"
        f"&redirect_uri={unregistered}&scope=openid"
    )
    assert page.locator("#error-code").inner_text() == "AADSTS50011"
    camera.shoot("error")

    page.goto(f"{env.authority}/oauth2/v2.0/logout")
    pages.expect_heading("You signed out of your account")
    camera.shoot("signed-out")

    shoot_update_password(env, pages, camera, flow["auth_uri"], user)
    shoot_mfa(env, pages, camera, flow["auth_uri"])
    assert len(camera.taken) == 14


def shoot_update_password(env: Live, pages: SignInPages, camera: Camera, auth_uri: str, user: User) -> None:
    """An administrator reset the user's password: "Update your password" before anything is issued, and
    a refused (banned) new password."""
    admin_reset(env, user, TEMPORARY)
    pages.page.goto(auth_uri)
    pages.expect_heading("Sign in")
    pages.enter_username(user.user_principal_name)
    pages.expect_heading("Enter password")
    pages.enter_password(TEMPORARY)
    pages.expect_heading("Update your password")
    pages.page.locator("#current-password").fill(TEMPORARY)
    camera.shoot("update-password")
    pages.update_password(TEMPORARY, "P@ssw0rd2024")
    pages.page.locator("#error-reason").wait_for()
    camera.shoot("update-password-refused")


def shoot_mfa(env: Live, pages: SignInPages, camera: Camera, auth_uri: str) -> None:
    """A Temporary Access Pass in the password field: the authenticator-app enrolment page (QR code, link and
    secret); then "Enter code" after the password."""
    bob = env.services.users.create_user(env.tenant.id, f"bob@{DOMAIN}", PASSWORD, "Bob Jones")
    tap = env.services.auth_methods.issue_pass(bob, ctx=AuditContext(SYSTEM, env.services.clock.now())).value
    env.server.guard.watch("temporary access pass", tap)
    pages.page.context.clear_cookies()
    pages.page.goto(auth_uri)
    pages.expect_heading("Sign in")
    pages.enter_username(bob.user_principal_name)
    pages.expect_heading("Enter password")
    pages.enter_password(tap)
    pages.expect_heading("Set up your authenticator app")
    secret = pages.page.locator("#secret").input_value()
    env.server.guard.watch("totp secret", secret)
    camera.shoot("mfa-enrol")
    pages.page.locator("#otc").fill(pyotp.TOTP(secret).now())
    pages.page.locator("#verify").click()
    pages.expect_heading("Stay signed in?")
    pages.page.context.clear_cookies()
    pages.page.goto(auth_uri)
    pages.expect_heading("Sign in")
    pages.enter_username(bob.user_principal_name)
    pages.expect_heading("Enter password")
    pages.enter_password(PASSWORD)
    pages.expect_heading("Enter code")
    camera.shoot("mfa-code")
