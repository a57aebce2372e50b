"""Issue 11's browser test: an administrator resets alice's password through Graph; alice signs in with MSAL Python's
`acquire_token_interactive` (its own loopback listener, `response_mode=form_post`) in headless Chromium, is
made to update her password, and gets her token; the refresh token she held before the reset answers 50173.

MSAL opens "the system browser" through `webbrowser.open`; the test hands that URL to Playwright instead,
while `acquire_token_interactive` waits for the reply in a worker thread (Playwright stays on the main one).
"""

from __future__ import annotations

import queue
import ssl
import threading
import time
import uuid
import webbrowser
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import msal
import pytest

from support.tokens import decode_unverified
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.directory.models import User
from tenantry.errors import Aadsts

from .conftest import DOMAIN, PASSWORD, Live
from .pages import WAIT_MS, SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser]

SCOPES = ["User.Read"]
TEMPORARY = "Temp-Kiwi-4821!"
NEW_PASSWORD = "Tuesday-Lantern-73!"
# MSAL's own listener answers the form_post with this text.
MSAL_DONE = "Authentication complete"


def admin_reset(live: Live, user: User, temporary: str) -> None:
    """An administrator's reset, as a help desk script does it (issue 11 §4): a Helpdesk Administrator's
    delegated Graph token (password grant of an admin-consented console with `User.ReadWrite.All`), then
    `PATCH /v1.0/users/{id}` with `passwordProfile`: a temporary password, "change at next sign-in", and
    every session and refresh token issued before it revoked."""
    services, tenant_id = live.services, live.tenant.id
    console = services.apps.create_app(tenant_id, f"Help desk console {uuid.uuid4().hex[:6]}", public_client=True)
    console = services.apps.add_permission(console, GRAPH_APP_ID, "User.ReadWrite.All", "Scope")
    services.apps.admin_consent(console)
    helpdesk = services.users.create_user(tenant_id, f"helpdesk-{uuid.uuid4().hex[:8]}@{DOMAIN}", PASSWORD, "Help Desk")
    services.roles.assign_role(tenant_id, helpdesk.id, "Helpdesk Administrator")
    context = ssl.create_default_context(cafile=str(live.server.ca_path))
    with httpx.Client(verify=context, timeout=30.0) as client:
        form = {
            "grant_type": "password",
            "client_id": console.app_id,
            "username": helpdesk.user_principal_name,
            "password": PASSWORD,
            "scope": f"{GRAPH_URI}/User.ReadWrite.All",
        }
        issued = client.post(f"{live.authority}/oauth2/v2.0/token", data=form)
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        live.server.guard.watch("help desk token", token)
        profile = {"password": temporary, "forceChangePasswordNextSignIn": True}
        reset = client.patch(
            f"{live.base_url}/v1.0/users/{user.id}",
            json={"passwordProfile": profile},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert reset.status_code == 204, reset.text


class Interactive:
    """`acquire_token_interactive` in a worker thread; `webbrowser.open` hands its URL to the test."""

    def __init__(self, app: msal.PublicClientApplication, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> None:
        self._urls: queue.Queue[str] = queue.Queue()
        monkeypatch.setattr(webbrowser, "open", self._open)
        self._result: dict[str, Any] = {}
        self._thread = threading.Thread(
            target=lambda: self._result.update(app.acquire_token_interactive(SCOPES, timeout=60, **kwargs)),
            name="msal-interactive",
            daemon=True,
        )
        self._thread.start()

    def _open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self._urls.put(url)
        return True

    def auth_uri(self) -> str:
        """The URL MSAL wanted the browser to open."""
        return self._urls.get(timeout=WAIT_MS / 1000)

    def result(self) -> dict[str, Any]:
        """MSAL's answer once its listener got the reply and redeemed the code."""
        self._thread.join(timeout=WAIT_MS / 1000)
        assert not self._thread.is_alive(), "acquire_token_interactive did not return"
        return self._result


def finish(page: Page, flow: Interactive, live: Live) -> dict[str, Any]:
    """The form_post reply reaches MSAL's listener; MSAL's result, its tokens under the log guard."""
    page.get_by_text(MSAL_DONE).wait_for()
    result = flow.result()
    assert "access_token" in result, f"{result.get('error')}: {result.get('error_description')}"
    live.watch(result)
    return result


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
def test_reset_forces_a_change_then_msal_gets_its_token(
    env: Live,
    page: Page,
    pages: SignInPages,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alice signs in (refresh token R1); an admin resets her password; MSAL's interactive flow shows the
    password page (her SSO session was revoked), then "Update your password" (a wrong current password and
    a banned new one refused on the page), then "Stay signed in?", and MSAL gets a token for her; R1 now
    answers 50173 and the new refresh token works."""
    from playwright.sync_api import expect  # here: the suite must import (and skip) without Playwright

    env.server.guard.watch("temporary password", TEMPORARY)
    env.server.guard.watch("new password", NEW_PASSWORD)
    alice = make_user("alice", "Alice Smith")
    app = env.msal_app()

    first = Interactive(app, monkeypatch)
    page.goto(first.auth_uri())
    pages.expect_heading("Sign in")
    pages.sign_in(alice.user_principal_name, PASSWORD, stay=True)
    pages.expect_heading("Permissions requested")
    pages.consent(accept=True)
    before = finish(page, first, env)
    old_refresh = before["refresh_token"]
    # Revocation compares whole seconds (JWT times): the reset must fall in a later second than the sign-in.
    signed_in_at = decode_unverified(before["id_token"]).claims["iat"]
    time.sleep(max(0.0, signed_in_at + 1.05 - time.time()))

    admin_reset(env, alice, TEMPORARY)

    sso_cookies = {c["name"]: c["value"] for c in page.context.cookies() if c["name"].startswith("ESTSAUTH")}
    second = Interactive(app, monkeypatch, login_hint=alice.user_principal_name)
    page.goto(second.auth_uri())
    pages.expect_heading("Enter password")
    pages.enter_password(TEMPORARY)
    pages.expect_heading("Update your password")
    now_held = {c["name"]: c["value"] for c in page.context.cookies() if c["name"].startswith("ESTSAUTH")}
    assert now_held == sso_cookies, "no session cookie before the password is changed"
    pages.update_password("Not-The-Temp-1!", NEW_PASSWORD)
    expect(page.locator("#error-message")).to_contain_text("AADSTS120000")
    pages.update_password(TEMPORARY, "P@ssw0rd2024")
    expect(page.locator("#error-message")).to_contain_text("AADSTS120018")
    expect(page.locator("#error-reason")).to_contain_text("easily guessable")
    pages.update_password(TEMPORARY, NEW_PASSWORD)
    pages.expect_heading("Stay signed in?")
    pages.stay_signed_in(stay=False)
    after = finish(page, second, env)
    claims = decode_unverified(after["access_token"]).claims
    assert (claims["oid"], claims["scp"]) == (alice.id, "User.Read")

    stale = app.acquire_token_by_refresh_token(old_refresh, SCOPES)
    assert stale.get("error") == "invalid_grant" and stale.get("error_codes") == [Aadsts.FreshTokenNeeded], stale
    assert stale["error_description"].startswith("AADSTS50173: ")
    fresh = app.acquire_token_by_refresh_token(after["refresh_token"], SCOPES)
    assert "access_token" in fresh, fresh
    env.watch(fresh)
