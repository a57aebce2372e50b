"""Self-service password reset in headless Chromium (issue 12 §2): a user who forgot their password opens
`/passwordreset`, types their name, proves the authenticator app's code (computed with pyotp), is refused a
weak password with Entra's sentence, then sets a new one; the page says it is done and the new password is
the one stored. The tenant's SSPR is on for the test only (without the registration interrupt, which would
change the other browser tests' sign-ins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyotp
import pytest

from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.passwords.hashing import PasswordHashing
from tenantry.sessions.mfa import AuthMethod, MethodType, new_totp_secret, seal_secret

from .conftest import Live
from .pages import SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser]
NEW_PASSWORD = "Amber-Lantern-58!"


@pytest.fixture
def sspr_on(env: Live) -> Iterator[None]:
    """SSPR for everybody, one method, no interrupt; off again afterwards."""
    ctx = AuditContext(SYSTEM, env.services.clock.now())
    policies = env.services.sspr_policies
    policies.set_policy(env.tenant.id, ctx, scope="all", methods_required=1, require_registration=False)
    yield
    policies.set_policy(env.tenant.id, ctx, scope="off", require_registration=True)


def _authenticator(env: Live, user: User) -> pyotp.TOTP:
    secret = new_totp_secret()
    method = AuthMethod(
        new_guid(),
        user.tenant_id,
        user.id,
        MethodType.SOFTWARE_OATH,
        "Authenticator app",
        env.services.clock.now(),
        sealed_secret=seal_secret(env.services.master_key, secret),
    )
    with env.services.store.transaction(write=True) as unit:
        unit.add_auth_method(method)
    return pyotp.TOTP(secret)


def test_reset_with_the_authenticator_app(
    env: Live, page: Page, pages: SignInPages, make_user: Callable[..., User], sspr_on: None
) -> None:
    from playwright.sync_api import expect  # here: the suite must import (and skip) without Playwright

    user = make_user("forgetful", "Fran Forgetful")
    totp = _authenticator(env, user)
    env.server.guard.watch("new password", NEW_PASSWORD)
    page.goto(f"{env.base_url}/passwordreset")
    pages.expect_heading("Get back into your account")
    page.locator("#username").fill(user.user_principal_name)
    page.locator("#next").click()
    expect(page.locator("#app-code")).to_be_visible()
    page.locator("#app-code").fill(totp.now())
    page.locator("#verify-app").click()
    pages.expect_heading("Choose a new password")
    page.locator("#new-password").fill("Password1")
    page.locator("#confirm-password").fill("Password1")
    page.locator("#reset-password").click()
    expect(page.locator("#error-reason")).to_be_visible()
    page.locator("#new-password").fill(NEW_PASSWORD)
    page.locator("#confirm-password").fill(NEW_PASSWORD)
    page.locator("#reset-password").click()
    pages.expect_heading("Your password has been reset")
    stored = env.services.users.find_tenant_user(user.tenant_id, user.id)
    assert stored is not None and PasswordHashing().verify(stored.password_hash, NEW_PASSWORD)
