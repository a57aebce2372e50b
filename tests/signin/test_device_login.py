"""The device-code verification page `/devicelogin` (RFC 8628 §3.3): the user types the code shown by
the device, signs in (same pages), consents when needed, and the DeviceCode is approved or declined.
Device codes are created directly in the store here; the devicecode endpoint is tested elsewhere."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from tenantry.app import Services
from tenantry.directory.models import User
from tenantry.errors import Aadsts
from tenantry.tokens.models import DeviceCode
from tenantry.tokens.opaque import new_opaque_token, token_hash

from .browser import Browser, ShiftableClock, assert_error_page
from .conftest import PASSWORD, World, sign_in_directly

DeviceFactory = Callable[..., DeviceCode]


@pytest.fixture
def device_code(services: Services, world: World) -> DeviceFactory:
    """Stores a pending device authorization for the desktop app; keyword arguments change fields."""

    def make(scopes: tuple[str, ...] = ("openid", "profile", "offline_access"), **changes: object) -> DeviceCode:
        now = services.clock.now()
        code = DeviceCode(
            device_code_hash=token_hash(new_opaque_token("dc.")),
            user_code="".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9)),
            tenant_segment=world.tenant.id,
            client_id=world.native.app_id,
            scopes=scopes,
            created_at=now,
            expires_at=now + timedelta(seconds=900),
            interval=5,
        )
        code = replace(code, **changes)  # type: ignore[arg-type]
        with services.store.transaction(write=True) as unit:
            unit.add_device_code(code)
        return code

    return make


def stored(services: Services, code: DeviceCode) -> DeviceCode:
    """The device code as stored now."""
    with services.store.transaction() as unit:
        found = unit.find_device_code(code.device_code_hash)
    assert found is not None
    return found


def enter(browser: Browser, user_code: str) -> object:
    """Type a code on /devicelogin."""
    page = browser.get("/devicelogin")
    assert 'for="user_code"' in page.text
    return browser.submit(page, "/devicelogin", user_code=user_code)


def test_approval_through_the_sign_in_pages(
    browser: Browser, world: World, services: Services, device_code: DeviceFactory, make_user: Callable[..., User]
) -> None:
    """Code (typed in lower case with a dash), username, password, KMSI: approved with tenant, user and auth_time."""
    user = make_user("device")
    code = device_code()
    typed = f"{code.user_code[:4].lower()}-{code.user_code[4:].lower()}"
    response = browser.submit(browser.get("/devicelogin"), "/devicelogin", user_code=typed)
    assert response.headers["location"].startswith("/login?flow=")
    done = browser.to_our_pages(browser.sign_in(response, user.user_principal_name, PASSWORD))
    assert done.status_code == 200 and "You're signed in" in done.text and "Contoso Desktop" in done.text
    approved = stored(services, code)
    assert (approved.status, approved.user_id, approved.tenant_id) == ("approved", user.id, world.tenant.id)
    assert approved.auth_time is not None


def test_signed_in_user_picks_the_account(
    browser: Browser, world: World, services: Services, device_code: DeviceFactory
) -> None:
    """With an SSO session the username page offers the account; continuing approves without a password."""
    sign_in_directly(services, browser, world.alice)
    code = device_code()
    page = browser.to_our_pages(browser.submit(browser.get("/devicelogin"), "/devicelogin", user_code=code.user_code))
    tile = next(f for f in (browser.form(page, "/login"),) if f.fields.get("action") == "continue")
    done = browser.to_our_pages(browser.post("/login", tile.fields))
    assert "You're signed in" in done.text
    assert stored(services, code).user_id == world.alice.id


def test_declining_consent_declines_the_device(
    browser: Browser, world: World, services: Services, device_code: DeviceFactory, make_user: Callable[..., User]
) -> None:
    """Scopes needing consent show the consent page; Cancel marks the device code declined."""
    user = make_user("device-decline")
    code = device_code(scopes=("openid", "User.Read"))
    response = browser.submit(browser.get("/devicelogin"), "/devicelogin", user_code=code.user_code)
    consent = browser.to_our_pages(browser.sign_in(response, user.user_principal_name, PASSWORD))
    assert "Permissions requested" in consent.text
    done = browser.to_our_pages(browser.submit(consent, "/consent", answer="decline"))
    assert "Sign-in declined" in done.text
    assert stored(services, code).status == "declined"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("wrong", Aadsts.BadVerificationCode),
        ("expired", Aadsts.CodeExpired),
        ("used", Aadsts.InvalidDeviceFlowRequest),
    ],
)
def test_bad_codes_are_shown_on_the_page(
    browser: Browser, services: Services, device_code: DeviceFactory, change: str, expected: int
) -> None:
    """70018 wrong code, 70019 expired, 90120 already approved: inline on the code page (status 400)."""
    now = services.clock.now()
    if change == "wrong":
        user_code = "ZZZZZZZZ0"
    elif change == "expired":
        user_code = device_code(expires_at=now - timedelta(seconds=1)).user_code
    else:
        user_code = device_code(status="approved").user_code
    response = browser.submit(browser.get("/devicelogin"), "/devicelogin", user_code=user_code)
    assert response.status_code == 400
    assert f"AADSTS{expected}" in response.text and 'role="alert"' in response.text


def test_device_flow_checks_the_code_again_at_the_end(
    browser: Browser,
    world: World,
    services: Services,
    clock: ShiftableClock,
    device_code: DeviceFactory,
    make_user: Callable[..., User],
) -> None:
    """A code that expires while the user signs in is not approved (70019 on the error page)."""
    user = make_user("device-late")
    code = device_code()
    response = browser.submit(browser.get("/devicelogin"), "/devicelogin", user_code=code.user_code)
    clock.advance(901)
    final = browser.to_our_pages(browser.sign_in(response, user.user_principal_name, PASSWORD))
    assert_error_page(final, Aadsts.CodeExpired)
    assert stored(services, code).status == "pending"
