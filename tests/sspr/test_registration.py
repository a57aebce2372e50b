"""The SSPR registration interrupt and the security info page (issue 12 §2): a user in scope without enough
methods is asked after the password ("More information required"); "Remind me later" lets the sign-in go on
and keeps the interrupt away for the tenant's skip days; "Set it up now" opens the security info page,
where an e-mail address is proven by a code read from the SMTP server, an authenticator app by a code
computed with pyotp, and security questions are answered; "Done" continues the sign-in to the app.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp

from signin.browser import Browser, ShiftableClock
from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.directory.models import User
from tenantry.sessions.mfa import MethodType
from tenantry.sessions.sspr.secrets import PREDEFINED_QUESTIONS
from tenantry.signins.models import SignInQuery

from .conftest import PASSWORD, PER_USER, Sspr

VERIFIER = "a" * 50
CHALLENGE = urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
REDIRECT = "http://localhost:53123"


def _new_user(sspr: Sspr) -> User:
    name = f"reg-{uuid.uuid4().hex[:8]}"
    return sspr.services.users.create_user(sspr.people.tenant.id, f"{name}@contoso.example", PASSWORD, name)


def _client_id(sspr: Sspr) -> str:
    found = [a for a in sspr.services.apps.list_apps(sspr.people.tenant.id) if a.display_name == "Desk"]
    if found:
        return found[0].app_id
    app = sspr.services.apps.create_app(
        sspr.people.tenant.id, "Desk", redirect_uris=(("public", "http://localhost"),), public_client=True
    )
    return app.app_id


def _sign_in(sspr: Sspr, browser: Browser, user: User) -> httpx.Response:
    """/authorize, user name, password, "Stay signed in? No": the page that follows."""
    params = {
        "client_id": _client_id(sspr),
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "login_hint": user.user_principal_name,
    }
    start = browser.get(f"/{sspr.people.tenant.id}/oauth2/v2.0/authorize", params=params)
    return browser.to_our_pages(browser.sign_in(start, user.user_principal_name, PASSWORD))


def _reached_app(browser: Browser, page: httpx.Response) -> bool:
    if 'action="/consent"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    location = page.headers.get("location", "")
    return location.startswith(REDIRECT) and "code" in parse_qs(urlsplit(location).query)


def test_remind_me_later_skips_for_the_tenant_days(sspr: Sspr, clock: ShiftableClock) -> None:
    user = _new_user(sspr)
    browser = Browser(sspr.app)
    page = _sign_in(sspr, browser, user)
    assert "<h1>More information required</h1>" in page.text, page.text[:500]
    sspr.services.sign_ins.flush()  # entries are built when written: before the clock moves past the flow
    after = browser.to_our_pages(browser.submit(page, "/login/securityinfo", action="skip"))
    assert _reached_app(browser, after)
    again = _sign_in(sspr, Browser(sspr.app), user)
    assert "More information required" not in again.text
    clock.advance(8 * 86400)  # the default "Remind me later" lasts 7 days
    later = _sign_in(sspr, Browser(sspr.app), user)
    assert "<h1>More information required</h1>" in later.text
    activities = [r.activity for r in sspr.services.audit.list_records(user.tenant_id) if r.targets[0].id == user.id]
    assert AuditActivity.SSPR_REGISTRATION_SKIPPED.value in activities
    sspr.services.sign_ins.flush()
    query = SignInQuery(user.tenant_id, error_code=50125, user_principal_name=user.user_principal_name)
    assert len(sspr.services.sign_ins.list(query)) == 2  # the sign-in log shows each interrupt


def test_done_is_refused_until_enough_methods_are_registered(sspr: Sspr) -> None:
    user = _new_user(sspr)
    browser = Browser(sspr.app)
    page = _sign_in(sspr, browser, user)
    same = browser.to_our_pages(browser.submit(page, "/login/securityinfo", action="done"))
    assert "<h1>More information required</h1>" in same.text


def test_set_up_now_registers_email_app_and_questions_then_continues(sspr: Sspr) -> None:
    user = _new_user(sspr)
    browser = Browser(sspr.app)
    page = _sign_in(sspr, browser, user)
    info = browser.to_our_pages(browser.submit(page, "/login/securityinfo", action="setup"))
    assert "<h1>Security info</h1>" in info.text, info.text[:400]
    # E-mail: the code goes to the address being registered.
    address = f"{user.display_name}@home.example"
    before = len(sspr.mail.envelopes)
    info = browser.to_our_pages(browser.submit(info, "/securityinfo/email", email_address=address))
    code = sspr.code_for(address, before)
    wrong = browser.submit(info, "/securityinfo/email/verify", code="00000000")
    assert 'id="notice"' in wrong.text
    info = browser.to_our_pages(browser.submit(wrong, "/securityinfo/email/verify", code=code))
    assert f"Registered: {address}" in info.text and 'id="complete"' in info.text
    # Authenticator app: the secret as text and as an otpauth:// link beside the QR code.
    secret = re.search(r'id="secret" type="text" readonly value="([A-Z2-7]+)"', info.text)
    assert secret and "otpauth://totp/" in info.text and "<svg" in info.text
    code = pyotp.TOTP(secret.group(1)).now()
    info = browser.to_our_pages(browser.submit(info, "/securityinfo/app", code=code))
    assert 'id="app-current"' in info.text
    # Security questions: stored, never in clear.
    answers = {f"answer{i}": f"answer number {i}" for i in range(3)}
    info = browser.to_our_pages(browser.submit(info, "/securityinfo/questions", **answers))
    assert "3 registered" in info.text
    with sspr.services.store.transaction() as unit:
        methods = unit.list_auth_methods(user.tenant_id, user.id)
    kinds = sorted(m.type for m in methods)
    assert kinds == sorted([MethodType.EMAIL, MethodType.SOFTWARE_OATH, *[MethodType.SECURITY_QUESTION] * 3])
    assert not any(b"answer number" in (m.pass_hash or b"") for m in methods)
    # "Done" continues the sign-in.
    done = browser.to_our_pages(browser.submit(info, "/login/securityinfo", action="done"))
    assert _reached_app(browser, done)


def test_questions_of_a_registered_user_look_like_a_stranger_s(sspr: Sspr) -> None:
    """A user who registered questions on the page and a name nobody has are asked the same questions."""
    user = _new_user(sspr)
    sspr.services.registration.set_questions(user, [(q, f"answer {i}") for i, q in enumerate(PREDEFINED_QUESTIONS[:3])])
    asked = []
    for name in (user.user_principal_name, "stranger@contoso.example"):
        page = sspr.browser().start(name)
        asked.append(re.findall(r'<label for="answer\d">([^<]+)</label>', page.text))
    assert asked[0] == asked[1] and len(asked[0]) == 3


def test_registered_users_reconfirm_after_the_tenant_days(sspr: Sspr, clock: ShiftableClock) -> None:
    """A user whose methods were confirmed more than `reconfirm_days` ago is asked again; "I've registered"
    confirms them and the sign-in goes on."""
    people = sspr.people
    user = _new_user(sspr)
    ctx = AuditContext(SYSTEM, sspr.services.clock.now())
    sspr.services.security_info.add_email(user, "again@home.example", ctx, by_admin=True)
    assert sspr.services.registration.confirm(user.tenant_id, user.id)
    sspr.services.sspr_policies.set_policy(people.tenant.id, ctx, reconfirm_days=30)
    try:
        assert "More information required" not in _sign_in(sspr, Browser(sspr.app), user).text
        clock.advance(31 * 86400)
        browser = Browser(sspr.app)
        page = _sign_in(sspr, browser, user)
        assert "<h1>More information required</h1>" in page.text
        after = browser.to_our_pages(browser.submit(page, "/login/securityinfo", action="done"))
        assert _reached_app(browser, after)
    finally:
        sspr.services.sspr_policies.set_policy(people.tenant.id, ctx, reconfirm_days=180)


def test_codes_mailed_from_the_page_are_limited(sspr: Sspr) -> None:
    """The security info page cannot be used to mail anyone without end: beyond the per-user allowance
    the page says so and nothing is sent."""
    user = _new_user(sspr)
    browser = Browser(sspr.app)
    page = _sign_in(sspr, browser, user)
    info = browser.to_our_pages(browser.submit(page, "/login/securityinfo", action="setup"))
    for _ in range(PER_USER):
        info = browser.to_our_pages(browser.submit(info, "/securityinfo/email", email_address="spam@home.example"))
        assert 'id="notice"' not in info.text
    before = len(sspr.mail.envelopes)
    refused = browser.submit(info, "/securityinfo/email", email_address="spam@home.example")
    assert "Too many codes" in refused.text
    assert not sspr.mails_to("spam@home.example", before, wait=0.3)


def test_the_page_needs_a_signed_in_browser(sspr: Sspr) -> None:
    answer = Browser(sspr.app).get("/securityinfo")
    assert answer.status_code == 401 and 'id="sign-in-first"' in answer.text
