"""SSO sessions and the prompts: silent reuse, prompt=none failures, forced re-authentication, hints,
the account picker, session invalidation (50132 / 50133), and the user-dependent errors (50020, 50105,
65001, 65004, 90094) — entra-reference §6.7, OIDC Core §3.1.2.1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from tenantry.app import Services
from tenantry.directory.models import User
from tenantry.errors import Aadsts

from .browser import Browser, ShiftableClock, assert_error_reply, forms_of, reply_params
from .conftest import ORDERS_URI, PASSWORD, WEB_REDIRECT, World, sign_in_directly, update_user

STATE = "opaque-state-1"


def request(world: World, **extra: str) -> dict[str, str]:
    """A code request of the web app for OIDC scopes only (nothing to consent to)."""
    return {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid profile offline_access",
        "state": STATE,
        **extra,
    }


def test_prompt_none_without_session_is_50058(browser: Browser, world: World) -> None:
    """AADSTS50058 (`login_required`) to the redirect URI: nobody is signed in."""
    response = browser.get(world.authorize_path(), params=request(world, prompt="none"))
    params = assert_error_reply(response, Aadsts.UserInformationNotProvided, WEB_REDIRECT, state=STATE)
    assert params["error"] == "login_required"


def test_session_is_reused_silently(browser: Browser, world: World, services: Services) -> None:
    """With a valid session and nothing to consent, /authorize answers at once with a code and the
    session's id as `session_state`, whether or not prompt=none."""
    session_id = sign_in_directly(services, browser, world.alice)
    for extra in ({}, {"prompt": "none"}):
        params = reply_params(browser.get(world.authorize_path(), params=request(world, **extra)), WEB_REDIRECT)
        assert params["code"].startswith("ac.")
        assert (params["state"], params["session_state"]) == (STATE, session_id)


def test_prompt_login_forces_the_password_page(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """prompt=login ignores the session: the password page of the signed-in user, then a new session."""
    user = make_user("relogin")
    old_session = sign_in_directly(services, browser, user)
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=request(world, prompt="login")))
    assert 'id="identity">' + user.user_principal_name in page.text
    assert browser.form(page, "/login/password").fields["username"] == user.user_principal_name
    after = browser.to_our_pages(browser.submit(page, "/login/password", password=PASSWORD, action="sign_in"))
    final = browser.follow(browser.submit(after, "/kmsi", stay="no"))
    params = reply_params(final, WEB_REDIRECT)
    assert params["code"] and params["session_state"] != old_session


def test_max_age_exceeded_forces_reauthentication(
    browser: Browser, world: World, services: Services, clock: ShiftableClock, make_user: Callable[..., User]
) -> None:
    """A session authenticated 10 minutes ago satisfies max_age=3600 but not max_age=60 (OIDC Core §3.1.2.1)."""
    clock.advance(-600)
    user = make_user("maxage")
    sign_in_directly(services, browser, user)
    clock.reset()
    fresh_enough = browser.get(world.authorize_path(), params=request(world, max_age="3600"))
    assert reply_params(fresh_enough, WEB_REDIRECT)["code"]
    too_old = browser.to_our_pages(browser.get(world.authorize_path(), params=request(world, max_age="60")))
    assert browser.form(too_old, "/login/password").fields["username"] == user.user_principal_name


def test_max_age_exceeded_with_prompt_none_is_50058(
    browser: Browser, world: World, services: Services, clock: ShiftableClock, make_user: Callable[..., User]
) -> None:
    """prompt=none cannot re-authenticate: 50058."""
    clock.advance(-600)
    sign_in_directly(services, browser, make_user("maxage-none"))
    clock.reset()
    response = browser.get(world.authorize_path(), params=request(world, max_age="60", prompt="none"))
    assert_error_reply(response, Aadsts.UserInformationNotProvided, WEB_REDIRECT, state=STATE)


def test_login_hint_prefills_the_username(browser: Browser, world: World) -> None:
    """With no session, the username page opens with the hint filled in."""
    page = browser.to_our_pages(
        browser.get(world.authorize_path(), params=request(world, login_hint="bob@contoso.example"))
    )
    form = browser.form(page, "/login")
    assert form.fields["username"] == "bob@contoso.example"


def test_login_hint_naming_someone_else_starts_a_sign_in(browser: Browser, world: World, services: Services) -> None:
    """alice is signed in, the hint names bob: the username page (no account tile), or 50058 with prompt=none."""
    sign_in_directly(services, browser, world.alice)
    hint = {"login_hint": world.bob.user_principal_name}
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=request(world, **hint)))
    assert browser.form(page, "/login").fields["username"] == world.bob.user_principal_name
    assert 'id="continue-as"' not in page.text
    silent = browser.get(world.authorize_path(), params=request(world, prompt="none", **hint))
    assert_error_reply(silent, Aadsts.UserInformationNotProvided, WEB_REDIRECT, state=STATE)


def test_select_account_shows_the_signed_in_account(browser: Browser, world: World, services: Services) -> None:
    """prompt=select_account shows the session's account; continuing with it yields a code."""
    session_id = sign_in_directly(services, browser, world.alice)
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=request(world, prompt="select_account")))
    assert "Pick an account" in page.text
    tiles = [f for f in forms_of(page.text) if f.fields.get("action") == "continue"]
    assert tiles and world.alice.user_principal_name in page.text
    response = browser.to_our_pages(browser.post("/login", tiles[0].fields))
    params = reply_params(response, WEB_REDIRECT)
    assert params["session_state"] == session_id


def test_password_change_invalidates_the_session_50132(
    browser: Browser, world: World, services: Services, clock: ShiftableClock, make_user: Callable[..., User]
) -> None:
    """A password changed after the sign-in: prompt=none gets 50132; interactively the password is asked again."""
    clock.advance(-60)
    user = make_user("pwchange")
    sign_in_directly(services, browser, user)
    clock.reset()
    update_user(services, user, password_changed_at=datetime.now(UTC))
    silent = browser.get(world.authorize_path(), params=request(world, prompt="none"))
    assert_error_reply(silent, Aadsts.SsoArtifactInvalidOrExpired, WEB_REDIRECT, state=STATE)
    page = browser.to_our_pages(browser.get(world.authorize_path(), params=request(world)))
    assert browser.form(page, "/login/password").fields["username"] == user.user_principal_name


def test_revoked_sign_in_sessions_give_50133(
    browser: Browser, world: World, services: Services, clock: ShiftableClock, make_user: Callable[..., User]
) -> None:
    """An administrator's "revoke sessions" (signInSessionsValidFromDateTime) after the sign-in: 50133."""
    clock.advance(-60)
    user = make_user("revoked")
    sign_in_directly(services, browser, user)
    clock.reset()
    update_user(services, user, sign_in_sessions_valid_from=datetime.now(UTC))
    silent = browser.get(world.authorize_path(), params=request(world, prompt="none"))
    assert_error_reply(silent, Aadsts.SsoArtifactRevoked, WEB_REDIRECT, state=STATE)


def test_idle_transient_session_expires_after_24_hours(
    browser: Browser, world: World, services: Services, clock: ShiftableClock
) -> None:
    """A session without "Stay signed in" is unusable after 24 idle hours (50132 for prompt=none)."""
    sign_in_directly(services, browser, world.alice)
    clock.advance(25 * 3600)
    silent = browser.get(world.authorize_path(), params=request(world, prompt="none"))
    assert_error_reply(silent, Aadsts.SsoArtifactInvalidOrExpired, WEB_REDIRECT, state=STATE)


def test_persistent_session_outlives_24_hours(browser: Browser, world: World, clock: ShiftableClock) -> None:
    """ "Stay signed in? Yes" gives the 90-day persistent session: still silent after 25 hours."""
    start = browser.get(world.authorize_path(), params=request(world))
    browser.follow(browser.sign_in(start, world.bob.user_principal_name, PASSWORD, stay=True))
    assert browser.cookie("ESTSAUTHPERSISTENT") and not browser.cookie("ESTSAUTH")
    clock.advance(25 * 3600)
    silent = browser.get(world.authorize_path(), params=request(world, prompt="none"))
    assert reply_params(silent, WEB_REDIRECT)["code"]


def test_prompt_none_without_consent_is_65001(browser: Browser, world: World, services: Services) -> None:
    """AADSTS65001 (`consent_required`): User.Read was never consented and prompt=none cannot ask."""
    sign_in_directly(services, browser, world.alice)
    response = browser.get(world.authorize_path(), params=request(world, prompt="none", scope="openid User.Read"))
    params = assert_error_reply(response, Aadsts.DelegationDoesNotExist, WEB_REDIRECT, state=STATE)
    assert params["error"] == "consent_required"


def test_admin_only_scope_is_90094(browser: Browser, world: World, services: Services) -> None:
    """AADSTS90094: Orders.Manage needs admin consent, which a user cannot give (interactive or not)."""
    sign_in_directly(services, browser, world.alice)
    scope = f"openid {ORDERS_URI}/Orders.Manage"
    for extra in ({}, {"prompt": "none"}):
        response = browser.get(world.authorize_path(), params=request(world, scope=scope, **extra))
        assert_error_reply(response, Aadsts.AdminConsentRequired, WEB_REDIRECT, state=STATE)


def test_declined_consent_is_65004(browser: Browser, world: World, make_user: Callable[..., User]) -> None:
    """Cancel on the consent page: AADSTS65004 (`access_denied`) to the app, with state."""
    user = make_user("decliner")
    start = browser.get(world.authorize_path(), params=request(world, scope=f"openid {ORDERS_URI}/Orders.Read"))
    consent = browser.to_our_pages(browser.sign_in(start, user.user_principal_name, PASSWORD))
    assert "Permissions requested" in consent.text and "Read your orders" in consent.text
    response = browser.to_our_pages(browser.submit(consent, "/consent", answer="decline"))
    params = assert_error_reply(response, Aadsts.UserDeclinedConsent, WEB_REDIRECT, state=STATE)
    assert params["error"] == "access_denied"


def test_assignment_required_without_assignment_is_50105(browser: Browser, world: World, services: Services) -> None:
    """AADSTS50105: the client requires app role assignment and alice holds none."""
    sign_in_directly(services, browser, world.alice)
    response = browser.get(world.authorize_path(), params=request(world, client_id=world.assigned.app_id))
    assert_error_reply(response, Aadsts.EntitlementGrantsNotFound, WEB_REDIRECT, state=STATE)


def test_user_of_another_tenant_is_50020(browser: Browser, world: World, services: Services) -> None:
    """AADSTS50020: a Fabrikam user's session used on Contoso's tenant-specific authority."""
    sign_in_directly(services, browser, world.stranger)
    response = browser.get(world.authorize_path(), params=request(world))
    assert_error_reply(response, Aadsts.UserUnauthorized, WEB_REDIRECT, state=STATE)


def test_prompt_consent_asks_again(browser: Browser, world: World, make_user: Callable[..., User]) -> None:
    """prompt=consent shows the consent page even when nothing is missing."""
    user = make_user("reconsent")
    start = browser.get(world.authorize_path(), params=request(world, prompt="consent"))
    consent = browser.to_our_pages(browser.sign_in(start, user.user_principal_name, PASSWORD))
    assert "Permissions requested" in consent.text
    params = reply_params(browser.to_our_pages(browser.submit(consent, "/consent", answer="accept")), WEB_REDIRECT)
    assert params["code"]
