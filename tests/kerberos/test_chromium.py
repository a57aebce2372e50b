"""Seamless SSO in a real browser: headless Debian Chromium, allowed to answer Negotiate for `localhost`
(`--auth-server-allowlist`, as an administrator's policy would), with KRB5CCNAME naming a kinit'ed cache.
The user never sees a password page; MSAL Python redeems the code the loopback redirect URI received.
Without the allow-list the same browser lands on the password page (81006)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msal
import pytest

from browser.pages import WAIT_MS, Loopback, SignInPages
from support.chromium import CHROMIUM_PATH, LAUNCH_ARGS, browser_environment, browser_required, trusting_home
from support.chromium import missing_requirement as missing_browser

from .conftest import KDC_PASSWORD, Realm

pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")


@pytest.fixture(scope="module")
def browser_ready() -> None:
    """Skip (or, under TENANTRY_REQUIRE_BROWSER=1, fail) without Chromium and Playwright."""
    reason = missing_browser()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"TENANTRY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _browse(realm: Realm, folder: Path, ccache: Path, allow: bool) -> Iterator[tuple[object, list[str]]]:
    from playwright.sync_api import sync_playwright

    home = trusting_home(folder / "home", realm.server.ca_path)
    env = {**browser_environment(home), **realm.kdc.client_env(ccache)}
    args = [*LAUNCH_ARGS, *(["--auth-server-allowlist=localhost"] if allow else [])]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=args, env=env, headless=True)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            visited: list[str] = []
            page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)
            yield page, visited
        finally:
            browser.close()


def _flow(realm: Realm, loopback: Loopback, upn: str) -> tuple[msal.PublicClientApplication, dict[str, object]]:
    app = msal.PublicClientApplication(
        realm.app_id, authority=f"{realm.base_url}/{realm.tenant_id}", instance_discovery=False
    )
    return app, app.initiate_auth_code_flow(["User.Read"], redirect_uri=loopback.redirect_uri, login_hint=upn)


def test_chromium_signs_in_with_its_kerberos_ticket(browser_ready: None, realm: Realm, tmp_path: Path) -> None:
    """authorize → SSO endpoint (401, Chromium answers from the ticket cache) → consent → the app's code."""
    principal, upn = realm.new_user("chromium")
    ccache = tmp_path / "ccache"
    realm.kdc.kinit(principal, KDC_PASSWORD, ccache)
    for page, visited in _browse(realm, tmp_path, ccache, allow=True):
        loopback = Loopback(page)  # type: ignore[arg-type]
        try:
            app, flow = _flow(realm, loopback, upn)
            page.goto(str(flow["auth_uri"]))  # type: ignore[attr-defined]
            try:
                SignInPages(page).consent(accept=True)  # type: ignore[arg-type]
            except Exception as exc:
                raise AssertionError(f"no consent page; visited {visited}") from exc
            reply = loopback.reply()
        finally:
            loopback.close()
        assert any("/winauth/sso" in url for url in visited), visited
        assert not [url for url in visited if "/login/password" in url], visited
        result = app.acquire_token_by_auth_code_flow(flow, reply)
        assert "access_token" in result, result
        assert result["id_token_claims"]["preferred_username"].lower() == upn.lower()


def test_chromium_without_the_allow_list_falls_back_to_the_password(
    browser_ready: None, realm: Realm, tmp_path: Path
) -> None:
    """Chromium does not answer Negotiate for a site off its allow-list: the 401's page moves on (81006)."""
    principal, upn = realm.new_user("nolist")
    ccache = tmp_path / "ccache"
    realm.kdc.kinit(principal, KDC_PASSWORD, ccache)
    for page, _ in _browse(realm, tmp_path, ccache, allow=False):
        loopback = Loopback(page)  # type: ignore[arg-type]
        try:
            _, flow = _flow(realm, loopback, upn)
            page.goto(str(flow["auth_uri"]))  # type: ignore[attr-defined]
            page.locator("#password").wait_for()  # type: ignore[attr-defined]
        finally:
            loopback.close()
    assert realm.sign_ins(81006, upn)
