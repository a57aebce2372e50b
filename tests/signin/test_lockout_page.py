"""Smart lockout on the password page (entra-reference §5.3): once a user's location is locked, the page
answers AADSTS50053 with Entra's message inline, even for the right password, and checks no password; the
lockout ends after its duration. (ROPC and the backends: tests/lockout.)"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tenantry.app import Services
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.lockout import LOCKED_HINT

from .browser import Browser, ShiftableClock
from .conftest import DOMAIN, PASSWORD, World
from .test_sign_in_flow import msal_request


def password_page(browser: Browser, world: World, upn: str) -> httpx.Response:
    """The password page of a fresh flow for `upn`."""
    start = browser.get(world.authorize_path(), params=msal_request(world))
    return browser.to_our_pages(browser.submit(browser.to_our_pages(start), "/login", username=upn, action="next"))


def test_the_password_page_shows_50053_while_locked(
    browser: Browser, world: World, services: Services, clock: ShiftableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten wrong passwords (50126 each), then the right one: 50053 and the lockout message, no hash
    verified; 61 s later the right password continues to "Stay signed in?"."""
    user = services.users.create_user(world.tenant.id, f"locked-{uuid.uuid4().hex[:8]}@{DOMAIN}", PASSWORD, "Lee")
    page = password_page(browser, world, user.user_principal_name)
    for i in range(10):
        page = browser.submit(page, "/login/password", password=f"Wrong-{i}-Passw0rd", action="sign_in")
        assert page.status_code == 400 and "AADSTS50126" in page.text
    verified: list[str] = []
    real = PasswordHashing.verify
    monkeypatch.setattr(PasswordHashing, "verify", lambda s, h, p: verified.append(p) or real(s, h, p))
    locked = browser.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert locked.status_code == 400 and "AADSTS50053" in locked.text
    assert "Your account is temporarily locked" in locked.text and LOCKED_HINT.split(".")[0] in locked.text
    assert verified == []
    clock.advance(61)
    right = browser.submit(locked, "/login/password", password=PASSWORD, action="sign_in")
    assert right.headers["location"].startswith("/kmsi?flow="), right.text[:300]
