"""My Account (issue 15 item 8) in Debian's Chromium: a member without a role signs in at `/myaccount`,
changes their password (a wrong current one first: AADSTS120000 in small print) and signs out everywhere;
then every My Account page under axe-core (light and dark), at 375 px, photographed for the README
(`docs/screenshots/myaccount-*.png` with TENANTRY_SCREENSHOTS=1).

The walk runs under the real CSP (a console error fails it); the axe pages bypass it to inject axe.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tenantry.apps.consent import record_consent
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.models import User

from .admin_world import sign_in_to_admin
from .axe import serious_violations
from .conftest import DOMAIN, PASSWORD, VIEWPORT, Live
from .pages import WAIT_MS, SignInPages
from .test_admin_accessibility import PHONE, WIDEST, axe_script, open_page
from .test_screenshots import DOCS_SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

pytestmark = [pytest.mark.browser]
__all__ = ["axe_script", "open_page"]  # fixtures shared with the admin center's accessibility test
NEW_PASSWORD = "Quiet-Harbour-93!"


def _member(live: Live, name: str) -> User:
    tag = uuid.uuid4().hex[:6]
    return live.services.users.create_user(live.tenant.id, f"{name}-{tag}@{DOMAIN}", PASSWORD, f"{name.title()} {tag}")


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors of the page (a CSP violation is one), the browser's favicon request aside."""
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    page.on("console", note)
    yield errors


def test_member_changes_password_and_signs_out_everywhere(live: Live, page: Page, console_errors: list[str]) -> None:
    """Sign in → Password (wrong current: 120000; then the change) → Sign-in sessions → Sign out everywhere →
    the STS's sign-out page; My Account then asks for a sign-in, which the new password passes."""
    from playwright.sync_api import expect

    user = _member(live, "morgan")
    live.server.guard.watch("new password", NEW_PASSWORD)
    sign_in_to_admin(live, page, user, "/myaccount")
    expect(page).to_have_title("Overview - My Account")
    nav = page.get_by_role("navigation", name="My Account")
    nav.get_by_role("link", name="Password").click()
    expect(page).to_have_title("Change password - My Account")
    page.get_by_label("Current password").fill("Not-The-Passw0rd!")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("AADSTS120000")
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_have_text("Your password was changed.")

    nav.get_by_role("link", name="Sign-in sessions").click()
    page.get_by_role("button", name="Sign out everywhere").click()
    SignInPages(page).expect_heading("You signed out of your account")
    stored = live.services.users.find_tenant_user(user.tenant_id, user.id)
    assert stored is not None and stored.sign_in_sessions_valid_from is not None

    page.goto(f"{live.base_url}/myaccount")
    pages = SignInPages(page)
    pages.expect_heading("Sign in")
    pages.sign_in(user.user_principal_name, NEW_PASSWORD, stay=False)
    expect(page).to_have_url(f"{live.base_url}/myaccount", timeout=WAIT_MS)
    assert not console_errors, console_errors


def _prepare(live: Live, user: User) -> None:
    """An e-mail method and a consent, so the lists and confirmations have something to show."""
    services, ctx = (
        live.services,
        AuditContext(Actor("user", user.id, user.user_principal_name), live.services.clock.now()),
    )
    services.security_info.add_email(user, "robin.home@example.org", ctx, by_admin=False)
    app = services.apps.create_app(live.tenant.id, "Contoso Notes")
    sps = services.apps.list_service_principals(live.tenant.id)
    client = next(s for s in sps if s.app_id == app.app_id)
    graph = next(s for s in sps if s.app_id == GRAPH_APP_ID)
    with services.store.transaction(write=True) as unit:
        record_consent(unit, client, graph, user, ["openid", "profile", "User.Read"], services.clock.now())


def test_every_my_account_page_is_accessible(
    live: Live, open_page: Callable[[], Page], axe_script: Path, tmp_path: Path
) -> None:
    """Overview, Password (with a refusal), Security info and its remove confirmation, Sign-in sessions, Apps
    and its revoke confirmation, and the not-found page: axe light and dark, 375 px, a screenshot each."""
    shots = DOCS_SCREENSHOTS if os.environ.get("TENANTRY_SCREENSHOTS") == "1" else tmp_path
    user = _member(live, "robin")
    _prepare(live, user)
    page, base, problems = open_page(), live.base_url, []
    sign_in_to_admin(live, page, user, "/myaccount")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("overview", lambda: None),
        ("password", lambda: page.goto(f"{base}/myaccount/password")),
        ("password-refused", lambda: _refuse(page)),
        ("security-info", lambda: page.goto(f"{base}/myaccount/security-info")),
        ("remove-method", lambda: page.get_by_role("link", name="Remove Email robin.home@example.org").click()),
        ("sessions", lambda: page.goto(f"{base}/myaccount/sessions")),
        ("apps", lambda: page.goto(f"{base}/myaccount/apps")),
        ("revoke-app", lambda: page.get_by_role("link", name="Revoke permissions of Contoso Notes").click()),
        ("not-found", lambda: page.goto(f"{base}/myaccount/apps/00000000-0000-0000-0000-000000000000/revoke")),
    ]
    for number, (name, step) in enumerate(steps, start=1):
        step()
        page.wait_for_load_state()
        problems += _check(page, name, axe_script)
        page.screenshot(path=str(shots / f"myaccount-{number:02d}-{name}.png"), animations="disabled", caret="hide")
    assert not problems, "\n".join(problems)


def _refuse(page: Page) -> None:
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("P@ssw0rd1234")
    page.get_by_label("Confirm new password").fill("P@ssw0rd1234")
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("alert").wait_for()


def _check(page: Page, name: str, script: Path) -> list[str]:
    """axe light and dark, then nothing wider than a 375 px screen."""
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found += [f"{name} ({scheme}): {v}" for v in serious_violations(page, script)]
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{name}: {overflow} px wider than a 375 px screen ({page.evaluate(WIDEST)})")
    page.set_viewport_size(VIEWPORT)
    page.emulate_media(color_scheme="light")
    return found


def test_keyboard_alone_changes_the_password_with_visible_focus(live: Live, page: Page) -> None:
    """Tab reaches "Skip to main content" first; Enter on it, then Tab, lands on Current password; each
    focused field shows an outline; Enter in the last field submits."""
    from playwright.sync_api import expect

    user = _member(live, "casey")
    live.server.guard.watch("new password", NEW_PASSWORD)
    sign_in_to_admin(live, page, user, "/myaccount/password")
    outline = "() => getComputedStyle(document.activeElement).outlineStyle"
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    assert page.evaluate(outline) != "none"
    page.keyboard.press("Enter")
    for field, value in (
        ("current-password", PASSWORD),
        ("new-password", NEW_PASSWORD),
        ("confirm-password", NEW_PASSWORD),
    ):
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("id", field)
        assert page.evaluate(outline) != "none"
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your password was changed.")
