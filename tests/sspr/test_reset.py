"""Self-service password reset over HTTP (issue 12 §2): the e-mail code read from a real SMTP server, the
authenticator app's code computed with pyotp, security questions; two methods for administrators; 120016
for a user outside the SSPR scope; no enumeration; code tries, expiry and rate limits; the reset revokes
sessions, clears the lockout, tells the user by e-mail and is audited at every step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from signin.browser import ShiftableClock
from tenantry.audit.events import AuditActivity
from tenantry.directory.models import User
from tenantry.errors import AadstsError
from tenantry.passwords.hashing import PasswordHashing

from .conftest import PASSWORD, PER_USER, QUESTIONS, Browser, Sspr

NEW_PASSWORD = "Blue-Kettle-47!"


@pytest.fixture(autouse=True)
def all_in_scope(sspr: Sspr) -> Iterator[None]:
    """Each test starts with SSPR on for everybody, one method."""
    yield
    ctx = _ctx(sspr)
    sspr.services.sspr_policies.set_policy(sspr.people.tenant.id, ctx, scope="all", methods_required=1)


def _ctx(sspr: Sspr):  # type: ignore[no-untyped-def]
    from tenantry.audit.models import Actor
    from tenantry.audit.recorder import AuditContext

    return AuditContext(Actor("system", "tests", "tests"), sspr.services.clock.now())


def _address(user: User) -> str:
    return f"{user.display_name.lower()}.private@mail.example"


def _email_step(sspr: Sspr, browser: Browser, page: httpx.Response, user: User) -> httpx.Response:
    before = len(sspr.mail.envelopes)
    page = browser.post("/sspr/verify", page, action="send_code")
    assert 'id="email-code"' in page.text
    return browser.post("/sspr/verify", page, action="email", code=sspr.code_for(_address(user), before))


def _activities(sspr: Sspr, user: User) -> list[tuple[str, str]]:
    with sspr.services.store.transaction() as unit:
        records = unit.list_audit_records(user.tenant_id)  # type: ignore[attr-defined]
    return [(r.activity, r.result) for r in records if any(t.id == user.id for t in r.targets)]


def _password_is(sspr: Sspr, user: User, password: str) -> bool:
    fresh = sspr.services.users.find_tenant_user(user.tenant_id, user.id)
    assert fresh is not None
    return PasswordHashing().verify(fresh.password_hash, password)


def test_email_code_resets_the_password_end_to_end(sspr: Sspr) -> None:
    alice = sspr.people.alice
    browser = sspr.browser()
    page = browser.start(alice.user_principal_name)
    assert "<h1>Get back into your account</h1>" in page.text
    page = _email_step(sspr, browser, page, alice)
    assert "<h1>Choose a new password</h1>" in page.text, page.text
    before = len(sspr.mail.envelopes)
    page = browser.post("/sspr/password", page, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert 'id="done"' in page.text
    assert _password_is(sspr, alice, NEW_PASSWORD)
    fresh = sspr.services.users.find_tenant_user(alice.tenant_id, alice.id)
    assert fresh is not None and not fresh.force_change_password_next_sign_in
    assert fresh.sign_in_sessions_valid_from is not None  # every earlier session and refresh token revoked
    notices = sspr.mails_to(alice.mail or "", before)
    assert notices and notices[0]["Subject"] == "Your password was reset"
    activities = _activities(sspr, alice)
    assert (AuditActivity.SSPR_RESET.value, "success") in activities
    assert (AuditActivity.SSPR_PROGRESS.value, "success") in activities
    assert (AuditActivity.RESET_USER_PASSWORD.value, "success") in activities
    # The finished reset cannot be replayed.
    again = browser.post("/sspr/password", page, new_password=PASSWORD, confirm_password=PASSWORD)
    assert _password_is(sspr, alice, NEW_PASSWORD) and again.status_code in (200, 400)


def test_the_code_goes_to_the_email_method_not_to_mail(sspr: Sspr) -> None:
    carol = sspr.people.carol
    browser = sspr.browser()
    page = browser.start(carol.user_principal_name)
    before = len(sspr.mail.envelopes)
    browser.post("/sspr/verify", page, action="send_code")
    assert sspr.mails_to(_address(carol), before)
    assert not sspr.mails_to(carol.mail or "", before, wait=0.3)


def test_authenticator_app_code_and_no_replay(sspr: Sspr) -> None:
    bob = sspr.people.bob
    browser = sspr.browser()
    page = browser.start(bob.user_principal_name)
    page = browser.post("/sspr/verify", page, action="app", code=sspr.people.bob_totp.now())
    assert "<h1>Choose a new password</h1>" in page.text
    other = sspr.browser()
    page = other.start(bob.user_principal_name)
    page = other.post("/sspr/verify", page, action="app", code=sspr.people.bob_totp.now())
    assert 'id="notice"' in page.text and "<h1>Choose a new password</h1>" not in page.text


def test_security_questions(sspr: Sspr) -> None:
    quinn = sspr.people.quinn
    browser = sspr.browser()
    page = browser.start(quinn.user_principal_name)
    shown = re.findall(r'<label for="answer(\d)">([^<]+)</label>', page.text)
    answers = dict(QUESTIONS)
    assert len(shown) == 3 and all(q.replace("&#39;", "'") in answers for _, q in shown)
    wrong = {f"answer{i}": "nope nope" for i, _ in shown}
    page = browser.post("/sspr/verify", page, action="questions", **wrong)
    assert 'id="notice"' in page.text
    right = {f"answer{i}": "  " + answers[q.replace("&#39;", "'")].upper() + " " for i, q in shown}
    page = browser.post("/sspr/verify", page, action="questions", **right)
    assert "<h1>Choose a new password</h1>" in page.text
    with sspr.services.store.transaction() as unit:
        stored = [m for m in unit.list_auth_methods(quinn.tenant_id, quinn.id) if m.pass_hash]
    assert stored and all(b"Lyon" not in (m.pass_hash or b"") and "Lyon" not in m.display_name for m in stored)


def test_admins_need_two_methods(sspr: Sspr) -> None:
    admin = sspr.people.admin
    browser = sspr.browser()
    page = browser.start(admin.user_principal_name)
    page = _email_step(sspr, browser, page, admin)
    assert "Verification step 2" in page.text and "<h1>Choose a new password</h1>" not in page.text
    page = browser.post("/sspr/verify", page, action="app", code=sspr.people.admin_totp.now())
    assert "<h1>Choose a new password</h1>" in page.text
    weak = browser.post("/sspr/password", page, new_password="Password1", confirm_password="Password1")
    assert "AADSTS1200" in weak.text and 'id="error-reason"' in weak.text
    done = browser.post("/sspr/password", weak, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert 'id="done"' in done.text


def test_user_outside_the_scope_gets_120016_once_a_method_is_proven(sspr: Sspr) -> None:
    people = sspr.people
    sspr.services.sspr_policies.set_policy(people.tenant.id, _ctx(sspr), scope="group", group_id=people.group.id)
    browser = sspr.browser()
    page = browser.start(people.carol.user_principal_name)
    assert "<h1>Get back into your account</h1>" in page.text  # nothing told before a proof
    refused = _email_step(sspr, browser, page, people.carol)
    assert "AADSTS120016" in refused.text and refused.status_code == 400
    assert (AuditActivity.SSPR_BLOCKED.value, "failure") in _activities(sspr, people.carol)
    assert _password_is(sspr, people.carol, PASSWORD)


def _normalised(page: httpx.Response, upn: str) -> str:
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", page.text)
    text = text.replace(upn, "UPN")
    return re.sub(r"<label for=\"answer\d\">[^<]+</label>", "", text)


def test_no_enumeration(sspr: Sspr) -> None:
    people = sspr.people
    names = [
        "nobody@contoso.example",
        people.dave.user_principal_name,
        people.alice.user_principal_name,
        people.quinn.user_principal_name,
    ]
    pages = []
    for name in names:
        browser = sspr.browser()
        page = browser.start(name)
        before = len(sspr.mail.envelopes)
        sent = browser.post("/sspr/verify", page, action="send_code")
        wrong = browser.post("/sspr/verify", sent, action="email", code="12345678")
        pages.append((page.status_code, _normalised(page, name), _normalised(sent, name), _normalised(wrong, name)))
        if name != people.alice.user_principal_name:
            assert not sspr.mails_to(name, before, wait=0.2)
    assert len(set(pages)) == 1


def test_wrong_codes_spend_the_code_and_codes_expire(sspr: Sspr, clock: ShiftableClock) -> None:
    alice = sspr.people.alice
    browser = sspr.browser()
    page = browser.start(alice.user_principal_name)
    before = len(sspr.mail.envelopes)
    page = browser.post("/sspr/verify", page, action="send_code")
    code = sspr.code_for(_address(alice), before)
    for _ in range(3):
        page = browser.post("/sspr/verify", page, action="email", code="00000000")
    page = browser.post("/sspr/verify", page, action="email", code=code)
    assert "<h1>Choose a new password</h1>" not in page.text
    before = len(sspr.mail.envelopes)
    page = browser.post("/sspr/verify", page, action="send_code")
    code = sspr.code_for(_address(alice), before)
    clock.advance(11 * 60)
    page = browser.post("/sspr/verify", page, action="email", code=code)
    assert "<h1>Choose a new password</h1>" not in page.text


def test_attempts_are_limited_per_user(sspr: Sspr) -> None:
    name = "limited@contoso.example"
    answers = []
    for _ in range(PER_USER + 1):
        browser = sspr.browser()
        page = browser.start(name)
        answers.append(browser.post("/sspr/verify", page, action="app", code="123456"))
    assert all(a.status_code == 200 for a in answers[:PER_USER])
    assert answers[-1].status_code == 429 and "AADSTS90055" in answers[-1].text


def test_reset_clears_the_lockout(sspr: Sspr, clock: ShiftableClock) -> None:
    bob = sspr.people.bob
    lockout = sspr.services.lockout
    now = sspr.services.clock.now()
    with pytest.raises(AadstsError, match="locked"):
        for attempt in range(12):
            found = lockout.check(bob.tenant_id, bob.id, "198.51.100.7", now)
            assert found is not None
            lockout.failed(found, f"wrong-{attempt}", now, bob.user_principal_name)
    browser = sspr.browser()
    page = browser.start(bob.user_principal_name)
    clock.advance(35)  # a time step of its own: bob's code of the current step may be spent already
    code = sspr.people.bob_totp.at(clock.now())
    page = browser.post("/sspr/verify", page, action="app", code=code)
    browser.post("/sspr/password", page, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert lockout.check(bob.tenant_id, bob.id, "198.51.100.7", sspr.services.clock.now()) is not None
    assert (AuditActivity.UNLOCK_USER.value, "success") in _activities(sspr, bob)


def test_posts_need_the_csrf_token_and_the_flow_cookie(sspr: Sspr) -> None:
    browser = sspr.browser()
    assert browser.client.post("/sspr", data={"username": "alice@contoso.example"}).status_code == 400
    page = browser.start(sspr.people.alice.user_principal_name)
    stranger = sspr.browser()
    answer = stranger.post("/sspr/verify", page, action="send_code")
    assert answer.status_code == 400  # no flow cookie: another browser cannot continue this reset
    alias = browser.client.get("/passwordreset")
    assert alias.status_code == 302 and alias.headers["location"] == "/sspr"
