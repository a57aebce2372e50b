"""The forced password change in the interactive sign-in (issue 11 §5): after a correct password, a user
who must change it (an administrator's reset, or an expired password) gets "Update your password" before
any session, code or token exists; each refusal is shown on the page (120000, 120002, mismatch); a
change clears the flag, stores a new argon2 hash and revokes what was issued before, and the flow goes on
to "Stay signed in?", consent and the code MSAL redeems.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import msal
import pytest

from tenantry.app import Services
from tenantry.directory.models import User
from tenantry.errors import Aadsts
from tenantry.sessions.flow import FlowState
from tenantry.tokens.opaque import token_hash

from .browser import BASE_URL, Browser, ShiftableClock, assert_page_headers, forms_of
from .conftest import PASSWORD, World, update_user
from .test_msal_auth_code import MsalHttp
from .test_sign_in_flow import CHALLENGE

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.applications import Starlette

NEW_PASSWORD = "Brand-New-Tr0mbone!"
REDIRECT = "http://localhost:53998"
CHANGE = "/login/password/change"


def msal_client(app: Starlette, world: World) -> msal.PublicClientApplication:
    """MSAL Python over the in-process app."""
    return msal.PublicClientApplication(
        world.native.app_id,
        authority=f"{BASE_URL}/{world.tenant.id}",
        instance_discovery=False,
        http_client=MsalHttp(app),
    )


def to_password_page(browser: Browser, world: World, user: User) -> tuple[httpx.Response, dict[str, str]]:
    """An MSAL-style authorize request for the native client, up to the password page; returns the page
    and the request."""
    request = {
        "client_id": world.native.app_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "User.Read offline_access openid profile",
        "state": "change-state",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=request))
    page = browser.to_our_pages(browser.submit(page, "/login", username=user.user_principal_name, action="next"))
    assert 'action="/login/password"' in page.text
    return page, request


def to_change_page(browser: Browser, world: World, user: User) -> httpx.Response:
    """Sign in with the right (old) password: the change page, and no session cookie."""
    page, _ = to_password_page(browser, world, user)
    posted = browser.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert posted.status_code == 303 and posted.headers["location"].startswith(f"{CHANGE}?flow=fl.")
    assert not any(c.startswith("ESTSAUTH") for c in posted.headers.get_list("set-cookie"))
    change = browser.follow(posted)
    assert change.status_code == 200 and "<h1>Update your password</h1>" in change.text
    return change


def change(
    browser: Browser, page: httpx.Response, current: str, new: str, confirm: str | None = None
) -> httpx.Response:
    """Post the change form."""
    fields = {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return browser.submit(page, CHANGE, action="change", **fields)


def flow_state(services: Services, page: httpx.Response) -> FlowState:
    """The stored state of the page's flow."""
    handle = forms_of(page.text)[0].fields["flow"]
    with services.store.transaction() as unit:
        flow = unit.find_flow(token_hash(handle))
    assert flow is not None
    return flow.state


def stored(services: Services, user: User) -> User:
    """The user as stored now."""
    with services.store.transaction() as unit:
        found = unit.find_user(user.tenant_id, user.id)
    assert found is not None
    return found


@pytest.fixture
def forced(services: Services, make_user: Callable[..., User]) -> User:
    """A user an administrator reset: must change the password at the next sign-in."""
    return update_user(services, make_user("forced"), force_change_password_next_sign_in=True)


def test_change_page_is_a_labelled_no_js_form(browser: Browser, world: World, forced: User) -> None:
    """Current, new and confirm, each with a label and the autocomplete tokens password managers need;
    the CSRF field and the flow handle; the page's protective headers."""
    page = to_change_page(browser, world, forced)
    assert_page_headers(page)
    form = browser.form(page, CHANGE)
    assert form.method == "post"
    assert {"flow", "csrf_token", "current_password", "new_password", "confirm_password"} <= set(form.fields)
    assert form.labels >= {"current-password", "new-password", "confirm-password"}
    assert 'autocomplete="current-password"' in page.text
    assert page.text.count('autocomplete="new-password"') == 2
    assert "<script" not in page.text
    assert forced.user_principal_name in page.text


def test_nothing_is_issued_while_the_change_is_pending(
    browser: Browser, world: World, services: Services, forced: User
) -> None:
    """In the change state the resume step sends the browser back to the pages; no session exists."""
    page = to_change_page(browser, world, forced)
    handle = browser.form(page, CHANGE).fields["flow"]
    resumed = browser.get(f"/{world.tenant.id}/oauth2/v2.0/authorize/resume", params={"flow": handle})
    assert resumed.status_code == 302 and resumed.headers["location"].startswith("/login?flow=")
    assert "<h1>Update your password</h1>" in browser.to_our_pages(resumed).text
    kmsi = browser.post("/kmsi", {**browser.form(page, CHANGE).fields, "stay": "yes"})
    assert "<h1>Update your password</h1>" in browser.to_our_pages(kmsi).text
    assert browser.cookie("ESTSAUTH") is None and browser.cookie("ESTSAUTHPERSISTENT") is None
    assert flow_state(services, page) is FlowState.PASSWORD_CHANGE


def test_wrong_current_password_is_120000(browser: Browser, world: World, services: Services, forced: User) -> None:
    """The current password is asked again; a wrong one is AADSTS120000 on the page, nothing changes."""
    page = to_change_page(browser, world, forced)
    answer = change(browser, page, "Not-The-Passw0rd", NEW_PASSWORD)
    assert answer.status_code == 400
    assert "AADSTS120000" in answer.text and "current password entered is wrong" in answer.text
    assert 'id="current-password"' in answer.text and "<h1>Update your password</h1>" in answer.text
    assert stored(services, forced).password_hash == forced.password_hash
    assert stored(services, forced).force_change_password_next_sign_in


@pytest.mark.parametrize(
    ("new", "code", "hint"),
    [
        ("Sh0rt!", 120002, "too weak: a password has 8 to 256 characters"),
        ("alllowercaseletters", 120002, "too weak: a password mixes three of"),
        (PASSWORD, 120002, "different from the current one"),
        ("Forced-Account-77!", 120003, "can&#39;t contain your name or user name"),
        ("P@ssw0rd2024", 120018, "a word, phrase, or pattern that makes your password easily guessable"),
        ("Contoso-2031!", 120018, "easily guessable"),
    ],
)
def test_refused_new_password_is_shown_readably(
    browser: Browser, world: World, services: Services, forced: User, new: str, code: int, hint: str
) -> None:
    """Too short, too few character classes, the current password again (120002), the user's name
    (120003), a banned password or the tenant's name (120018): the AADSTS code and a sentence for people;
    the flow stays on the page and the password is unchanged."""
    page = to_change_page(browser, world, forced)
    answer = change(browser, page, PASSWORD, new)
    assert answer.status_code == 400, answer.text[:400]
    assert f"AADSTS{code}" in answer.text and hint in answer.text, answer.text
    assert flow_state(services, answer) is FlowState.PASSWORD_CHANGE
    assert stored(services, forced).password_hash == forced.password_hash


def test_new_passwords_must_match(browser: Browser, world: World, services: Services, forced: User) -> None:
    """New and confirmed differ: the page says so (no AADSTS code), and the flow stays put."""
    page = to_change_page(browser, world, forced)
    answer = change(browser, page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert answer.status_code == 200
    assert "don&#39;t match" in answer.text or "don't match" in answer.text
    assert 'id="notice"' in answer.text
    assert stored(services, forced).force_change_password_next_sign_in


def test_use_another_account_leaves_the_change_page(browser: Browser, world: World, forced: User) -> None:
    """The way out: back to an empty username page."""
    page = to_change_page(browser, world, forced)
    answer = browser.to_our_pages(browser.submit(page, CHANGE, action="other"))
    assert 'action="/login"' in answer.text and "Update your password" not in answer.text


@pytest.mark.filterwarnings("ignore:response_mode=.form_post. is recommended")
def test_change_then_code_then_token_and_old_refresh_token_is_50173(
    app: Starlette,
    browser: Browser,
    world: World,
    services: Services,
    make_user: Callable[..., User],
    clock: ShiftableClock,
) -> None:
    """A refresh token from before the reset; the reset; sign-in → change → "Stay signed in?" → consent →
    code → MSAL's token. The user's flag is cleared, the hash and times updated; the new session's cookie
    works, the old refresh token answers 50173, the old password no longer signs in."""
    user = make_user("changer")
    client = msal_client(app, world)
    old = _msal_sign_in(client, browser, world, user, PASSWORD)
    assert "refresh_token" in old, old
    clock.advance(5)
    update_user(services, stored(services, user), force_change_password_next_sign_in=True)

    second = Browser(app)
    flow = client.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name)
    page = second.to_our_pages(second.get(_path(flow["auth_uri"])))
    page = second.to_our_pages(second.submit(page, "/login", username=user.user_principal_name, action="next"))
    page = second.to_our_pages(second.submit(page, "/login/password", password=PASSWORD, action="sign_in"))
    assert "<h1>Update your password</h1>" in page.text
    posted = change(second, page, PASSWORD, NEW_PASSWORD)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/kmsi?flow=")
    assert second.cookie("ESTSAUTH")
    kmsi = second.follow(posted)
    reply = second.to_our_pages(second.submit(kmsi, "/kmsi", stay="no"))
    result = client.acquire_token_by_auth_code_flow(flow, dict(parse_qsl(urlsplit(reply.headers["location"]).query)))
    assert "access_token" in result, result
    assert result["id_token_claims"]["oid"] == user.id

    now = stored(services, user)
    assert not now.force_change_password_next_sign_in
    assert now.password_hash is not None and now.password_hash.startswith("$argon2id$")
    assert now.password_hash != user.password_hash
    assert now.password_changed_at is not None and now.password_changed_at == now.sign_in_sessions_valid_from
    records = services.audit.list_records(user.tenant_id)
    [audited] = [r for r in records if r.targets[0].id == user.id and r.activity == "Change user password"]
    assert (audited.actor.kind, audited.actor.id, audited.operation_type) == ("user", user.id, "Update")

    refreshed = client.acquire_token_by_refresh_token(old["refresh_token"], ["User.Read"])
    assert refreshed.get("error_codes") == [Aadsts.FreshTokenNeeded], refreshed
    fresh = client.acquire_token_by_refresh_token(result["refresh_token"], ["User.Read"])
    assert "access_token" in fresh, fresh
    # The new session signs in silently; the first browser's old session is revoked (50133 / back to login).
    silent = second.get(_path(client.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT)["auth_uri"]))
    assert silent.headers["location"].startswith(REDIRECT)
    third = Browser(app)
    page, _ = to_password_page(third, world, user)
    assert "AADSTS50126" in third.submit(page, "/login/password", password=PASSWORD, action="sign_in").text


def test_expired_password_leads_to_the_same_page(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """A password past its own expiry date gets the change page too; the change clears the date."""
    user = make_user("expired")
    update_user(services, user, password_expires_at=services.clock.now() - timedelta(days=1))
    page = to_change_page(browser, world, user)
    posted = change(browser, page, PASSWORD, NEW_PASSWORD)
    assert posted.headers["location"].startswith("/kmsi?flow=")
    assert stored(services, user).password_expires_at is None


def test_tenant_validity_period_leads_to_the_same_page(
    app: Starlette, browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """`tenant password-policy set --expire-days 30`: a password changed 31 days ago must be changed at sign-in,
    one changed today need not; after the change the password is valid for another 30 days."""
    old = make_user("stale")
    update_user(services, old, password_changed_at=services.clock.now() - timedelta(days=31))
    services.password_policies.set_policy(world.tenant.id, validity_days=30)
    try:
        page = to_change_page(browser, world, old)
        posted = change(browser, page, PASSWORD, NEW_PASSWORD)
        assert posted.headers["location"].startswith("/kmsi?flow=")
        for user, password in ((old, NEW_PASSWORD), (make_user("fresh"), PASSWORD)):
            again = Browser(app)
            password_page, _ = to_password_page(again, world, user)
            answer = again.submit(password_page, "/login/password", password=password, action="sign_in")
            assert answer.headers["location"].startswith("/kmsi?flow=")
    finally:
        services.password_policies.set_policy(world.tenant.id, never_expire=True)


def test_a_user_without_the_flag_never_sees_the_page(
    browser: Browser, world: World, make_user: Callable[..., User]
) -> None:
    """The ordinary path: password → "Stay signed in?" directly; the change page of that flow just shows
    the current step."""
    page, _ = to_password_page(browser, world, make_user("plain"))
    posted = browser.submit(page, "/login/password", password=PASSWORD, action="sign_in")
    assert posted.headers["location"].startswith("/kmsi?flow=")
    kmsi = browser.follow(posted)
    handle = browser.form(kmsi, "/kmsi").fields["flow"]
    shown = browser.get(f"{CHANGE}?flow={handle}")
    assert "Stay signed in?" in shown.text and "Update your password" not in shown.text
    stray = browser.post(
        CHANGE,
        {
            **browser.form(kmsi, "/kmsi").fields,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert "Stay signed in?" in stray.text


def test_double_submit_changes_once(browser: Browser, world: World, services: Services, forced: User) -> None:
    """The second post of the same form finds the flow moved on (and the old password gone)."""
    page = to_change_page(browser, world, forced)
    first = change(browser, page, PASSWORD, NEW_PASSWORD)
    assert first.status_code == 303
    hash_after = stored(services, forced).password_hash
    again = change(browser, page, PASSWORD, NEW_PASSWORD + "2")
    assert "Stay signed in?" in again.text
    assert stored(services, forced).password_hash == hash_after


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _msal_sign_in(
    client: msal.PublicClientApplication, browser: Browser, world: World, user: User, password: str
) -> dict[str, object]:
    """MSAL's auth-code flow with consent: the token result."""
    flow = client.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name)
    page = browser.to_our_pages(browser.get(_path(flow["auth_uri"])))
    page = browser.to_our_pages(browser.sign_in(page, user.user_principal_name, password))
    if 'action="/consent"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    result: dict[str, object] = client.acquire_token_by_auth_code_flow(
        flow, dict(parse_qsl(urlsplit(page.headers["location"]).query))
    )
    return result
