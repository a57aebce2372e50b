"""`/{tenant}/v2.0/adminconsent`: an administrator grants an app's permissions for the whole tenant
(entra-reference §1.6); a non-administrator gets 90094, a refusal `access_denied` (65004)."""

from __future__ import annotations

from collections.abc import Callable

from tenantry.app import Services
from tenantry.directory.models import User
from tenantry.errors import Aadsts
from tenantry.sessions.consent import is_tenant_admin

from .browser import Browser, assert_error_page, assert_error_reply, reply_params
from .conftest import ORDERS_URI, PASSWORD, WEB_REDIRECT, World, sign_in_directly


def admin_consent(world: World, **extra: str) -> dict[str, str]:
    """The admin-consent request of the app that needs Orders.Manage."""
    return {
        "client_id": world.needs_admin.app_id,
        "redirect_uri": WEB_REDIRECT,
        "state": "ac-state",
        "scope": f"{ORDERS_URI}/.default",
        **extra,
    }


def path(world: World) -> str:
    """`/{tenant}/v2.0/adminconsent`."""
    return f"/{world.tenant.id}/v2.0/adminconsent"


def test_admin_grants_for_the_tenant(browser: Browser, world: World) -> None:
    """The admin signs in, accepts; the app gets `tenant`, `state`, `admin_consent=True`, and every
    user may then use the admin-only scope without being asked (prompt=none succeeds)."""
    start = browser.get(path(world), params=admin_consent(world))
    consent = browser.to_our_pages(browser.sign_in(start, world.admin.user_principal_name, PASSWORD))
    assert "for everyone in your organization" in consent.text and "Orders.Manage" in consent.text
    response = browser.to_our_pages(browser.submit(consent, "/consent", answer="accept"))
    assert reply_params(response, WEB_REDIRECT) == {
        "tenant": world.tenant.id,
        "state": "ac-state",
        "admin_consent": "True",
    }
    request = {
        "client_id": world.needs_admin.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": f"openid {ORDERS_URI}/Orders.Manage",
        "prompt": "none",
    }
    assert reply_params(browser.get(world.authorize_path(), params=request), WEB_REDIRECT)["code"]


def test_non_admin_gets_90094(browser: Browser, world: World, services: Services) -> None:
    """A signed-in user who is not an administrator: AADSTS90094 to the redirect URI."""
    sign_in_directly(services, browser, world.bob)
    response = browser.to_our_pages(browser.get(path(world), params=admin_consent(world)))
    assert_error_reply(response, Aadsts.AdminConsentRequired, WEB_REDIRECT, state="ac-state")


def test_declined_admin_consent_is_access_denied(browser: Browser, world: World, services: Services) -> None:
    """Cancel: `error=access_denied` (AADSTS65004) with the state."""
    sign_in_directly(services, browser, world.admin)
    consent = browser.to_our_pages(browser.get(path(world), params=admin_consent(world)))
    response = browser.to_our_pages(browser.submit(consent, "/consent", answer="decline"))
    params = assert_error_reply(response, Aadsts.UserDeclinedConsent, WEB_REDIRECT, state="ac-state")
    assert params["error"] == "access_denied"


def test_unregistered_redirect_uri_is_an_error_page(browser: Browser, world: World) -> None:
    """client_id and redirect_uri are validated before anything is sent back (50011)."""
    response = browser.get(path(world), params=admin_consent(world, redirect_uri="https://evil.example/"))
    assert_error_page(response, Aadsts.InvalidReplyTo)


def test_admin_rule(services: Services, world: World, make_user: Callable[..., User]) -> None:
    """Admin = member of "Global Administrators", or the only user of the tenant."""
    lonely_tenant = services.directory.create_tenant("Solo", ["solo.example"])
    lonely = make_user("solo", lonely_tenant)
    with services.store.transaction() as unit:
        assert is_tenant_admin(world.admin, unit)
        assert not is_tenant_admin(world.bob, unit)
        assert is_tenant_admin(lonely, unit)
