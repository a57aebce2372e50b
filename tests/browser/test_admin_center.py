"""Issue 15 in Debian's Chromium: seed 002 end to end (an Application Administrator replaces an expired
client secret; the new value works with MSAL at once and is never shown again) and seed 004's *Reset
password* button (disabled with its reason, enabled, absent; the reset forces a change at next sign-in).

Every page runs under its real CSP: a console error (a blocked script or style) fails the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import msal
import pytest

from .admin_world import Cast, make_cast, sign_in_to_admin
from .conftest import Live
from .pages import SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Response

pytestmark = [pytest.mark.browser]


@pytest.fixture
def cast(live: Live) -> Cast:
    """A fresh cast per test."""
    return make_cast(live)


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors of the page (a CSP violation is one) and missing resources (the browser's own
    favicon request aside); the test asserts there are none."""
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    def missing(response: Response) -> None:
        if response.status == 404 and not response.url.endswith("/favicon.ico"):
            errors.append(f"404 {response.url}")

    page.on("console", note)
    page.on("response", missing)
    yield errors


def test_seed_002_replace_an_expired_client_secret(
    env: Live, page: Page, cast: Cast, console_errors: list[str]
) -> None:
    """App registrations → the app flagged Expired → Certificates & secrets → New client secret (description,
    180 days) → Add → the value once, in plain text beside Copy → it works with MSAL client credentials →
    delete the expired one (confirmed) → reload: the value is nowhere."""
    from playwright.sync_api import expect

    app = cast.app
    sign_in_to_admin(env, page, cast.people["apps"])
    page.get_by_role("navigation", name="Admin center").get_by_role("link", name="App registrations").click()
    expect(page).to_have_title("App registrations - Tenantry admin center")
    page.get_by_label("Search by display name or application (client) ID").fill(app.display_name)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=app.display_name)
    expect(row.get_by_role("link", name="Expired")).to_be_visible()
    expect(row).to_contain_text(app.app_id)
    row.get_by_role("link", name=app.display_name).click()
    page.get_by_role("navigation", name=app.display_name).get_by_role("link", name="Certificates & secrets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates & secrets")

    page.get_by_text("New client secret").click()
    page.get_by_label("Description").fill("empower production")
    expires = page.get_by_label("Expires")
    assert expires.locator("option").all_inner_texts() == [
        "90 days",
        "180 days (recommended)",
        "365 days",
        "545 days",
        "730 days",
        "Custom",
    ]
    expires.select_option(label="180 days (recommended)")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Client secret added")
    expect(page.get_by_text("It will not be shown again")).to_be_visible()
    field = page.get_by_label("Value")
    assert field.get_attribute("type") in (None, "text")
    value = field.input_value()
    env.server.guard.watch("new client secret", value)
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    assert value not in page.url

    confidential = msal.ConfidentialClientApplication(
        app.app_id, authority=env.authority, client_credential=value, instance_discovery=False
    )
    result = confidential.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    env.watch(result)

    page.get_by_role("link", name="Back to Certificates & secrets").click()
    page.get_by_role("link", name="Delete secret expired").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete client secret?")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates & secrets")
    expect(page.get_by_role("row").filter(has_text="empower production")).to_contain_text("Current")
    expect(page.get_by_role("link", name="Delete secret expired")).to_have_count(0)

    page.reload()
    for path in (f"/admin/apps/{app.id}/credentials", f"/admin/apps/{app.id}", "/admin/apps"):
        page.goto(f"{env.base_url}{path}")
        assert value not in page.content()
    page.go_back()
    assert value not in page.content()
    assert not console_errors, console_errors


def test_seed_004_the_reset_password_button(env: Live, page: Page, cast: Cast, console_errors: list[str]) -> None:
    """Helpdesk Administrator: disabled with its reason on a Global Administrator, enabled on a plain user;
    the reset shows a temporary password once, and the user must change it at next sign-in."""
    from playwright.sync_api import expect

    target, admin = cast.people["plain"], cast.people["global"]
    sign_in_to_admin(env, page, cast.people["helpdesk"])
    page.get_by_role("navigation", name="Admin center").get_by_role("link", name="Users").click()
    page.get_by_label("Search by name or user principal name").fill(admin.display_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=admin.display_name).click()
    button = page.get_by_role("button", name="Reset password")
    expect(button).to_be_disabled()
    reason = page.locator(f"#{button.get_attribute('aria-describedby')}")
    expect(reason).to_have_text(
        "You can't reset this user's password: they hold Global Administrator; only Global Administrators "
        "and Privileged Authentication Administrators can."
    )
    expect(reason).to_be_visible()

    page.goto(f"{env.base_url}/admin/users/{target.id}")
    button = page.get_by_role("button", name="Reset password")
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password reset")
    temporary = page.get_by_label("Temporary password").input_value()
    env.server.guard.watch("temporary password", temporary)
    page.goto(f"{env.base_url}/admin/users/{target.id}")  # a later visit: the password is gone
    expect(page.get_by_role("heading", level=1)).to_have_text(target.display_name)
    assert temporary not in page.content()
    assert not console_errors, console_errors

    other = page.context.browser
    assert other is not None
    context = other.new_context(locale="en-US")
    try:
        fresh = context.new_page()
        fresh.goto(f"{env.base_url}/admin")
        pages = SignInPages(fresh)
        pages.expect_heading("Sign in")
        pages.enter_username(target.user_principal_name)
        pages.enter_password(temporary)
        pages.expect_heading("Update your password")
    finally:
        context.close()


@pytest.mark.parametrize("who", ["plain", "apps"])
def test_no_reset_rights_no_button(env: Live, page: Page, cast: Cast, who: str) -> None:
    """A user with no role sees no button (the admin center tells them which role they lack); an
    Application Administrator, who may reset nobody, sees the user without the button."""
    from playwright.sync_api import expect

    target = cast.people["helpdesk"]
    sign_in_to_admin(env, page, cast.people[who], f"/admin/users/{target.id}")
    if who == "plain":
        expect(page.get_by_role("heading", level=1)).to_have_text("You don't have access")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text(target.display_name)
    expect(page.get_by_role("button", name="Reset password")).to_have_count(0)


def test_keyboard_alone_adds_a_secret_with_visible_focus(env: Live, page: Page, cast: Cast) -> None:
    """Tab reaches "Skip to main content" first; every focused control shows an outline; New client secret
    opens with Enter and Add submits with Enter, without a mouse."""
    from playwright.sync_api import expect

    sign_in_to_admin(env, page, cast.people["apps"], f"/admin/apps/{cast.app.id}/credentials")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    outline = "() => getComputedStyle(document.activeElement).outlineStyle"
    summary = page.get_by_text("New client secret")
    summary.focus()
    assert page.evaluate(outline) != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("id", "description")
    assert page.evaluate(outline) != "none"
    page.keyboard.type("typed")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Client secret added")
    env.server.guard.watch("new client secret", page.get_by_label("Value").input_value())
