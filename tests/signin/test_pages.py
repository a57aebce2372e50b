"""The sign-in pages as pages: CSRF protection on every form, protective headers on every page, the
first-party assets, and the error page's link to the lookup page."""

from __future__ import annotations

import re

import httpx
import pytest

from tenantry.app import Services
from tenantry.errors import Aadsts

from .browser import Browser, assert_error_page, assert_page_headers
from .conftest import NATIVE_REDIRECT, World, sign_in_directly


def start(browser: Browser, world: World) -> httpx.Response:
    """The username page of a fresh flow."""
    request = {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": "https://app.contoso.example/signin-oidc",
        "scope": "openid",
    }
    return browser.to_our_pages(browser.get(world.authorize_path(), params=request))


def test_form_carries_a_csrf_token_and_sets_its_cookie(browser: Browser, world: World) -> None:
    """The first page sets `tenantry_csrf` (HttpOnly, Secure, SameSite=Lax) and its form has the token."""
    page = start(browser, world)
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("tenantry_csrf="))
    assert all(part in cookie for part in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"))
    assert len(browser.form(page, "/login").fields["csrf_token"]) == 43


@pytest.mark.parametrize("tamper", ["missing", "wrong", "other-flow", "no-cookie"])
def test_posts_without_a_valid_csrf_token_are_refused(browser: Browser, world: World, tamper: str) -> None:
    """A post is refused (AADSTS90023 on the error page) without the field, with a forged value, with a
    token bound to another flow, or without the cookie it was derived from; the flow does not move."""
    page = start(browser, world)
    fields = dict(browser.form(page, "/login").fields)
    if tamper == "missing":
        del fields["csrf_token"]
    elif tamper == "wrong":
        fields["csrf_token"] = "A" * 43
    elif tamper == "other-flow":
        fields["csrf_token"] = browser.form(start(browser, world), "/login").fields["csrf_token"]
    else:
        browser.client.cookies.clear()
    response = browser.post("/login", {**fields, "username": "alice@contoso.example", "action": "next"})
    assert_error_page(response, Aadsts.InvalidRequest)
    assert "anti-forgery" in response.text
    again = browser.get(f"/login?flow={fields['flow']}")
    assert 'name="username"' in again.text


def test_device_code_form_is_csrf_protected(browser: Browser) -> None:
    """The device-code entry has no flow yet; its token is bound to the page instead."""
    response = browser.post("/devicelogin", {"user_code": "ABCDEFGHJ", "csrf_token": "x"})
    assert_error_page(response, Aadsts.InvalidRequest)


def test_every_sign_in_page_sends_the_protective_headers(browser: Browser, world: World) -> None:
    """no-store, X-Frame-Options DENY + frame-ancestors 'none', a CSP without inline script, no-referrer:
    username, password, KMSI, device-code and error pages."""
    page = start(browser, world)
    assert_page_headers(page)
    password = browser.to_our_pages(browser.submit(page, "/login", username="alice@contoso.example", action="next"))
    assert_page_headers(password)
    assert_page_headers(browser.get("/devicelogin"))
    assert_page_headers(browser.get("/login?flow=unknown"))


def test_redirects_to_the_app_are_not_cached(browser: Browser, world: World, services: Services) -> None:
    """A redirect carrying a code is `no-store`."""
    sign_in_directly(services, browser, world.alice)
    request = {"client_id": world.native.app_id, "response_type": "code", "redirect_uri": f"{NATIVE_REDIRECT}:9999"}
    request |= {"scope": "openid", "code_challenge": "c" * 43}
    response = browser.get(world.authorize_path(), params=request)
    assert response.status_code == 302 and "no-store" in response.headers["cache-control"]


def test_static_assets_are_first_party(browser: Browser, world: World) -> None:
    """The stylesheet and script come from /static; pages reference nothing on another origin."""
    css = browser.get("/static/signin.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    page = start(browser, world)
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_error_page_links_to_the_lookup_page(browser: Browser) -> None:
    """The error page's link resolves: /error?code=N describes the code."""
    page = assert_error_page(browser.get("/login?flow=fl.unknown"), Aadsts.FlowTokenExpired)
    link = re.search(r'href="(/error\?code=\d+)" id="error-link"', page)
    assert link is not None
    lookup = browser.get(link.group(1))
    assert lookup.status_code == 200 and "FlowTokenExpired" in lookup.text


def test_wrong_method_on_authorize_is_405(browser: Browser, world: World) -> None:
    """AADSTS900561 with an Allow header for a method the endpoint does not take."""
    response = browser.client.put(world.authorize_path())
    assert response.status_code == 405 and "GET" in response.headers["allow"]
