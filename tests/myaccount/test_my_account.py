"""My Account (issue 15 item 8): every page open to a member without a role; only the user's own data is
reachable; CSRF on every form; change password under Graph's rules and codes; removing a method, revoking
a consent and signing out everywhere are the services' own calls, audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette

from signin.browser import BASE_URL, Browser
from tenantry.app import Services
from tenantry.apps.consent import record_consent
from tenantry.apps.first_party import ADMIN_CENTER_APP_ID, GRAPH_APP_ID
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.models import User
from tenantry.passwords.hashing import PasswordHashing
from tenantry.sessions.mfa import MethodType

from .conftest import PASSWORD, Directory, local, sign_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = ("/myaccount", "/myaccount/password", "/myaccount/security-info", "/myaccount/sessions", "/myaccount/apps")
# Every form: (path, fields) — refused without the anti-forgery token.
FORMS = (
    "/myaccount/signout",
    "/myaccount/password",
    "/myaccount/sessions/revoke",
    "/myaccount/security-info/{method}/remove",
    "/myaccount/apps/{grant}/revoke",
)


def _csrf(browser: Browser, page: str = "/myaccount") -> str:
    found = CSRF.search(browser.get(page).text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _ctx(user: User, services: Services) -> AuditContext:
    return AuditContext(Actor("user", user.id, user.user_principal_name), services.clock.now())


def _email_method(services: Services, user: User, address: str) -> str:
    method = services.security_info.add_email(user, address, _ctx(user, services), by_admin=False)
    return method.id


def _consent(services: Services, directory: Directory, user: User) -> str:
    tenant_id = directory.tenant.id
    app = services.apps.create_app(tenant_id, f"Notes for {user.display_name}")
    sps = services.apps.list_service_principals(tenant_id)
    client = next(s for s in sps if s.app_id == app.app_id)
    graph = next(s for s in sps if s.app_id == GRAPH_APP_ID)
    with services.store.transaction(write=True) as unit:
        grant = record_consent(unit, client, graph, user, ["User.Read", "offline_access"], services.clock.now())
    return grant.id


def _activities(services: Services, directory: Directory, user: User) -> list[str]:
    return [r.activity for r in services.audit.list_records(directory.tenant.id) if r.actor.id == user.id]


def test_signed_out_redirects_to_authorize_with_its_own_callback(app: Starlette) -> None:
    """The admin center's client, a redirect URI derived from the public URL, the sign-in cookie on /myaccount."""
    response = Browser(app).get("/myaccount/apps")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["client_id"] == [ADMIN_CENTER_APP_ID]
    assert query["redirect_uri"] == [f"{BASE_URL}/myaccount/signin"]
    assert query["code_challenge_method"] == ["S256"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tenantry_myaccount_signin=") and "Path=/myaccount" in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie


@pytest.mark.parametrize("page", PAGES)
def test_member_without_role_opens_every_page(signed_in: Callable[[str], Browser], page: str) -> None:
    """200 with a title of its own, the user's name, strict CSP, no-store."""
    response = signed_in("pat").get(page)
    assert response.status_code == 200, response.text[:300]
    assert re.search(r"<title>[^<]+ - My Account</title>", response.text)
    assert "pat@contoso.example" in response.text
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"]


def test_admin_center_still_says_which_role_is_lacking(signed_in: Callable[[str], Browser]) -> None:
    """The same member at /admin: 403 naming the roles; the My Account session does not open /admin."""
    browser = signed_in("pat")
    assert browser.get("/myaccount").status_code == 200
    assert browser.get("/admin").status_code == 302  # its own session: sign in to the admin center first
    browser = sign_in_admin(browser)
    response = browser.get("/admin")
    assert response.status_code == 403 and "holds no directory role" in response.text
    assert 'href="/myaccount"' in response.text


def sign_in_admin(browser: Browser) -> Browser:
    response = browser.get("/admin")
    for _ in range(6):
        if response.status_code not in (302, 303):
            break
        response = browser.get(local(response.headers["location"]))
    return browser


def test_profile_is_the_users_own(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """Read-only Graph fields of the signed-in user; no form changes them."""
    text = signed_in("kim").get("/myaccount").text
    kim = directory.people["kim"]
    assert kim.id in text and kim.tenant_id in text and "Kim" in text
    assert directory.people["pat"].id not in text
    assert 'action="/myaccount/signout"' in text and text.count("<form") == 1


@pytest.mark.parametrize("form", FORMS)
def test_csrf_refused(services: Services, signed_in: Callable[[str], Browser], directory: Directory, form: str) -> None:
    """Every form without its token, or with another user's token: 400, nothing done."""
    dana = directory.people["dana"]
    method, grant = _email_method(services, dana, "dana@example.org"), _consent(services, directory, dana)
    path = form.format(method=method, grant=grant)
    browser = signed_in("dana")
    others = _csrf(signed_in("ray"))
    try:
        for data in ({"confirm": "yes"}, {"csrf_token": others}):
            response = browser.post(path, data=data)
            assert response.status_code == 400, (path, response.status_code)
            assert "anti-forgery token" in response.text and "AADSTS" in response.text
        assert [m.id for m in services.security_info.email_methods(dana)] == [method]
        assert [a.grant_id for a in services.consents.list_consents(dana)] == [grant]
        assert browser.get("/myaccount").status_code == 200  # still signed in, sessions not revoked
    finally:
        services.security_info.delete_method(dana, method, MethodType.EMAIL, _ctx(dana, services), by_admin=False)
        services.consents.revoke_consent(dana, grant, _ctx(dana, services))


def _change(browser: Browser, current: str, new: str, confirm: str | None = None) -> tuple[int, str]:
    data = {"csrf_token": _csrf(browser, "/myaccount/password"), "current_password": current}
    data |= {"new_password": new, "confirm_password": new if confirm is None else confirm}
    response = browser.post("/myaccount/password", data=data)
    return response.status_code, response.text


@pytest.mark.parametrize(
    ("current", "new", "code"),
    [
        ("Not-The-Passw0rd!", "Quiet-Harbour-93!", "AADSTS120000"),
        (PASSWORD, "abcdefgh", "AADSTS120002"),
        (PASSWORD, PASSWORD, "AADSTS120002"),
        (PASSWORD, "Frank-Quartz-47!", "AADSTS120003"),
        (PASSWORD, "P@ssw0rd1234", "AADSTS120018"),
    ],
)
def test_change_password_refusals(signed_in: Callable[[str], Browser], current: str, new: str, code: str) -> None:
    """Graph's `me/changePassword` rules and codes (same service): the reason in words, the code in small print."""
    status, text = _change(signed_in("frank"), current, new)
    assert status == 400
    assert f"Code: <code>{code}</code>" in text and 'role="alert"' in text and 'aria-invalid="true"' in text


def test_change_password_mismatch_and_success(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Two different new passwords: refused here; then the change, audited, with the new hash stored."""
    browser = signed_in("ray")
    status, text = _change(browser, PASSWORD, "Quiet-Harbour-93!", "Quiet-Harbour-94!")
    assert status == 400 and "don&#39;t match" in text
    status, text = _change(browser, PASSWORD, "Quiet-Harbour-93!")
    assert status == 200 and "Your password was changed." in text
    ray = directory.people["ray"]
    stored = services.users.find_tenant_user(ray.tenant_id, ray.id)
    assert stored is not None and stored.password_hash
    assert PasswordHashing().verify(stored.password_hash, "Quiet-Harbour-93!")
    assert "Change user password" in _activities(services, directory, ray)


def test_security_info_lists_and_removes_own_methods_only(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The user's e-mail method is listed with a link to /securityinfo to add more; another user's method id
    is not found; removing one's own asks first, then is audited "User deleted security info"."""
    kim, pat = directory.people["kim"], directory.people["pat"]
    mine, theirs = _email_method(services, kim, "kim@example.org"), _email_method(services, pat, "pat@example.org")
    browser = signed_in("kim")
    page = browser.get("/myaccount/security-info").text
    assert "kim@example.org" in page and "pat@example.org" not in page and 'href="/myaccount/security-info/add"' in page
    assert browser.get(f"/myaccount/security-info/{theirs}/remove").status_code == 404
    token = _csrf(browser, f"/myaccount/security-info/{mine}/remove")
    assert browser.post(f"/myaccount/security-info/{theirs}/remove", data={"csrf_token": token}).status_code == 404
    assert [m.id for m in services.security_info.email_methods(pat)] == [theirs]
    response = browser.post(f"/myaccount/security-info/{mine}/remove", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/myaccount/security-info?done=removed"
    assert services.security_info.email_methods(kim) == []
    assert "User deleted security info" in _activities(services, directory, kim)


def test_apps_lists_and_revokes_own_consent_only(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The user's own grants only (not another user's, not admin consent); revoking asks first, deletes the
    grant through `UserConsentService`, and is audited "Remove delegated permission grant"."""
    lee, ray = directory.people["lee"], directory.people["ray"]
    mine, theirs = _consent(services, directory, lee), _consent(services, directory, ray)
    browser = signed_in("lee")
    page = browser.get("/myaccount/apps").text
    assert "Notes for Lee" in page and "Notes for Ray" not in page and "User.Read" in page
    assert browser.get(f"/myaccount/apps/{theirs}/revoke").status_code == 404
    token = _csrf(browser, f"/myaccount/apps/{mine}/revoke")
    assert browser.post(f"/myaccount/apps/{theirs}/revoke", data={"csrf_token": token}).status_code == 404
    assert [a.grant_id for a in services.consents.list_consents(ray)] == [theirs]
    response = browser.post(f"/myaccount/apps/{mine}/revoke", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/myaccount/apps?done=revoked"
    assert mine not in [a.grant_id for a in services.consents.list_consents(lee)]
    record = next(
        r
        for r in services.audit.list_records(directory.tenant.id)
        if r.activity == "Remove delegated permission grant" and r.actor.id == lee.id
    )
    assert record.targets[0].display_name == "Notes for Lee"


def test_sign_out_everywhere(services: Services, app: Starlette, directory: Directory) -> None:
    """`revokeSignInSessions` on oneself: sessions before now stop working, this browser goes to the STS's
    sign-out, and a copy of the old My Account cookie no longer opens a page."""
    user = directory.people["helpdesk"]
    browser = sign_in(services, app, user)
    stolen = dict(browser.client.cookies.items())
    response = browser.post("/myaccount/sessions/revoke", data={"csrf_token": _csrf(browser)})
    assert response.status_code == 303 and response.headers["location"].endswith("/oauth2/v2.0/logout")
    stored = services.users.find_tenant_user(user.tenant_id, user.id)
    assert stored is not None and stored.sign_in_sessions_valid_from is not None
    replay = Browser(app)
    for name, value in stolen.items():
        replay.client.cookies.set(name, value, domain=urlsplit(BASE_URL).hostname or "", path="/myaccount")
    assert replay.get("/myaccount").status_code == 302
    assert "Update user" in _activities(services, directory, user)


def test_callback_refusals_on_my_accounts_own_error_page(app: Starlette) -> None:
    """A forged state and an error from the STS: 400 on My Account's page, the code in small print, no cookie."""
    browser = Browser(app)
    response = browser.get("/myaccount/signin?code=abc&state=forged")
    assert response.status_code == 400 and "Open My Account again" in response.text
    assert "Back to My Account" in response.text and "admin center" not in response.text
    assert "set-cookie" not in response.headers or "tenantry_myaccount=" not in response.headers["set-cookie"]
    response = browser.get("/myaccount/signin?error=access_denied&error_description=AADSTS65004%3A+declined")
    assert response.status_code == 400 and "AADSTS65004: declined" in response.text


def test_add_a_method_goes_to_securityinfo_or_signs_in_again(
    services: Services, app: Starlette, directory: Directory
) -> None:
    """With a valid SSO session, on to `/securityinfo`; after a password change (which ends it), through the
    authorize endpoint first, whose sign-in page asks for the password."""
    user = services.users.create_user(directory.tenant.id, "quinn@contoso.example", PASSWORD, "Quinn")
    browser = sign_in(services, app, user)
    response = browser.get("/myaccount/security-info/add")
    assert response.status_code == 303 and response.headers["location"] == "/securityinfo"
    assert browser.get("/securityinfo").status_code == 200
    assert _change(browser, PASSWORD, "Quiet-Harbour-93!")[0] == 200
    response = browser.get("/myaccount/security-info/add")
    assert response.status_code == 302 and "/oauth2/v2.0/authorize?" in response.headers["location"]
    assert browser.get("/securityinfo").status_code == 401
