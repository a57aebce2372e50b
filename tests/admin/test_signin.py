"""Signing in to the admin center: redirects, the code flow with PKCE, the session cookie, who is let in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette

from signin.browser import BASE_URL, Browser
from tenantry.app import Services
from tenantry.apps.first_party import ADMIN_CENTER_APP_ID

from .conftest import PASSWORD, Directory, local, sign_in


def test_signed_out_admin_redirects_to_the_organizations_authorize_with_pkce(app: Starlette) -> None:
    """No session: the authorize endpoint of `organizations` (the UPN decides the tenant), code + S256."""
    response = Browser(app).get("/admin?from=test")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert location.path == "/organizations/oauth2/v2.0/authorize"
    assert query["client_id"] == [ADMIN_CENTER_APP_ID]
    assert query["redirect_uri"] == [f"{BASE_URL}/admin/signin"]
    assert query["code_challenge_method"] == ["S256"] and query["state"]
    assert "offline_access" not in query["scope"][0]  # the admin center keeps no refresh token
    cookie = response.headers["set-cookie"]
    assert "tenantry_admin_signin=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/admin" in cookie


def test_the_redirect_uri_is_derived_from_the_public_url_not_stored(services: Services) -> None:
    """The admin center's application object holds no redirect URI at all."""
    stored = services.apps.find_app(ADMIN_CENTER_APP_ID)
    assert stored is not None
    assert not (stored.web_redirect_uris or stored.spa_redirect_uris or stored.public_client_redirect_uris)


def test_another_redirect_uri_of_the_admin_center_is_refused(app: Starlette) -> None:
    """Only `{public URL}/admin/signin` matches (AADSTS50011 on the error page)."""
    query = f"client_id={ADMIN_CENTER_APP_ID}&response_type=code&redirect_uri=https://evil.example/admin/signin"
    response = Browser(app).get(f"/organizations/oauth2/v2.0/authorize?{query}&scope=openid")
    assert response.status_code == 400 and "AADSTS50011" in response.text


def test_an_administrator_signs_in_through_sso(signed_in: Callable[[str], Browser]) -> None:
    """The whole round trip ends on the home page, with the admin session cookie."""
    browser = signed_in("global")
    home = browser.get("/admin")
    assert home.status_code == 200 and "Global Administrator" in home.text
    assert browser.client.cookies.get("tenantry_admin") is not None


def test_a_user_without_a_role_is_told_which_role_they_lack(signed_in: Callable[[str], Browser]) -> None:
    """403, naming the roles that would let them in."""
    page = signed_in("plain").get("/admin")
    assert page.status_code == 403
    assert "You don't have access" in page.text and "Application Administrator" in page.text


def test_a_callback_with_a_wrong_state_is_refused(app: Starlette, directory: Directory) -> None:
    """A code without this browser's sign-in cookie (or state) makes no session."""
    browser = Browser(app)
    response = browser.get("/admin/signin?code=abc&state=forged")
    assert response.status_code == 400 and browser.client.cookies.get("tenantry_admin") is None


def test_an_error_from_the_sts_is_shown_with_its_code(app: Starlette) -> None:
    """`error_description` comes back in words; nothing is signed in."""
    response = Browser(app).get("/admin/signin?error=access_denied&error_description=AADSTS65004%3A+declined")
    assert response.status_code == 400 and "AADSTS65004" in response.text


def test_local_keeps_foreign_locations() -> None:
    """The helper only shortens our own URLs."""
    assert local(f"{BASE_URL}/admin?x=1") == "/admin?x=1" and local("https://elsewhere/") == "https://elsewhere/"


def test_the_session_cookie_is_sealed_and_scoped(services: Services, app: Starlette, directory: Directory) -> None:
    """The callback sets `tenantry_admin` HttpOnly, Secure, SameSite=Lax on /admin, with no readable claims."""
    from tenantry.sessions.service import SessionService

    browser = Browser(app)
    with services.store.transaction(write=True) as unit:
        _, token = SessionService(services.clock).start(directory.people["global"], unit)
    browser.set_session_cookie(token)
    response = browser.get("/admin")
    while response.status_code in (302, 303) and "tenantry_admin=" not in response.headers.get("set-cookie", ""):
        response = browser.get(local(response.headers["location"]))
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tenantry_admin="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower() and "Path=/admin" in cookie
    assert directory.people["global"].id not in cookie and 'tenantry_admin_signin=""' in response.headers["set-cookie"]


def test_sign_out_clears_the_session_and_ends_sso(signed_in: Callable[[str], Browser], app: Starlette) -> None:
    """A CSRF-checked post; the admin cookie goes, then the STS's logout; /admin asks to sign in again."""
    import re

    browser = signed_in("users")  # the last test of this module to use it
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/admin").text)
    assert token
    assert browser.post("/admin/signout", {}).status_code == 400
    out = browser.post("/admin/signout", {"csrf_token": token.group(1)})
    assert out.status_code == 303 and out.headers["location"] == "/organizations/oauth2/v2.0/logout"
    assert 'tenantry_admin=""' in out.headers["set-cookie"]
    assert browser.get("/admin").status_code == 302


def test_a_revocation_ends_admin_sessions_begun_before_it(
    services: Services, app: Starlette, directory: Directory
) -> None:
    """An admin's "Revoke sessions" (or a password change) after an admin-center sign-in: the next page sends
    the administrator to sign in again, as Graph refuses their old tokens."""
    user = services.users.create_user(directory.tenant.id, "revoked@contoso.example", PASSWORD, "Rev Oked")
    services.roles.assign_role(directory.tenant.id, user.id, "Helpdesk Administrator")
    browser = sign_in(services, app, user)
    assert browser.get("/admin").status_code == 200
    later = services.clock.now() + timedelta(seconds=2)
    with services.store.transaction(write=True) as unit:
        stored = unit.find_user(user.tenant_id, user.id)
        assert stored is not None
        unit.update_user(replace(stored, sign_in_sessions_valid_from=later))
    assert browser.get("/admin").status_code == 302
