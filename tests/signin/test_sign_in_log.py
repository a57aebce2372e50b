"""The sign-in pages in the sign-in log (issue 12 §5): a wrong password on the password page is an
interactive refusal (50126), the right one an interactive success, both in the browser ("Browser") and both
under the `client-request-id` MSAL sent to /authorize."""

from __future__ import annotations

from collections.abc import Callable

from tenantry.app import Services
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.signins.models import ClientApp, EventType, SignInEntry, SignInQuery

from .browser import Browser
from .conftest import PASSWORD, World
from .test_sign_in_flow import msal_request


def logged(services: Services, world: World, correlation: str) -> list[SignInEntry]:
    """The entries of one flow, oldest first."""
    services.sign_ins.flush()
    entries = services.sign_ins.list(SignInQuery(world.tenant.id))
    return [e for e in reversed(entries) if e.correlation_id == correlation]


def test_wrong_then_right_password(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """The refusal names the user it was tried for and the app; the success who signed in."""
    user = make_user("logged")
    correlation = new_guid()
    start = browser.get(world.authorize_path(), params=msal_request(world, **{"client-request-id": correlation}))
    page = browser.to_our_pages(start)
    page = browser.to_our_pages(browser.submit(page, "/login", username=user.user_principal_name, action="next"))
    wrong = browser.submit(page, "/login/password", password="Not-The-Password-1", action="sign_in")
    assert wrong.status_code == 400
    browser.to_our_pages(browser.submit(wrong, "/login/password", password=PASSWORD, action="sign_in"))
    refused, success = logged(services, world, correlation)
    for entry in (refused, success):
        assert entry.is_interactive and entry.event_type is EventType.INTERACTIVE_USER
        assert entry.client_app_used == ClientApp.BROWSER and entry.app_id == world.native.app_id
        assert (entry.user_id, entry.user_principal_name) == (user.id, user.user_principal_name)
        assert entry.ip_address == "testclient"
    assert refused.status_error_code == 50126 and refused.failure_reason
    assert success.succeeded and success.user_display_name == user.display_name
