"""`/{tenant}/v2.0/adminconsent`: an administrator grants an app's permissions for the whole tenant
(entra-reference §1.6); a non-administrator gets 90094, a refusal `access_denied` (65004)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tenantry.app import Services
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.models import SignInAudience
from tenantry.directory.models import Group, User
from tenantry.errors import Aadsts
from tenantry.sessions.consent import may_grant_admin_consent

from .browser import Browser, assert_error_page, assert_error_reply, reply_params
from .conftest import ORDERS_URI, PASSWORD, WEB_REDIRECT, World, role_service, sign_in_directly


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


# Who may grant tenant-wide consent (Entra): delegated permissions and app roles of the tenant's own APIs →
# Global, Privileged Role, Application and Cloud Application Administrators; app roles of Microsoft Graph →
# Global and Privileged Role Administrators only. A role-less user, however the tenant is set up, never.
CONSENT_RULE = [
    ("Global Administrator", True, True),
    ("Privileged Role Administrator", True, True),
    ("Application Administrator", True, False),
    ("Cloud Application Administrator", True, False),
    ("Global Reader", False, False),
    (None, False, False),
]


@pytest.mark.parametrize(("role", "own_api", "graph_app_roles"), CONSENT_RULE)
def test_admin_consent_rule(
    services: Services,
    world: World,
    make_user: Callable[..., User],
    role: str | None,
    own_api: bool,
    graph_app_roles: bool,
) -> None:
    """The consent rule by directory role, for an app needing an own-API scope and one needing a Graph app role."""
    user = make_user(f"consenter-{(role or 'none').replace(' ', '-').lower()}", world.tenant)
    if role:
        role_service(services).assign_role(world.tenant.id, user.id, role)
    apps = services.apps
    graph_client = apps.create_app(world.tenant.id, "Needs Graph app role")
    graph_client = apps.add_permission(graph_client, GRAPH_APP_ID, "Application.Read.All", "Role")
    with services.store.transaction() as unit:
        assert may_grant_admin_consent(user, world.needs_admin, unit) is own_api
        assert may_grant_admin_consent(user, graph_client, unit) is graph_app_roles


def test_group_name_and_being_alone_confer_nothing(services: Services, make_user: Callable[..., User]) -> None:
    """A group called "Global Administrators" is just a group; a fresh tenant's only user is just a user."""
    lonely_tenant = services.directory.create_tenant("Solo", ["solo.example"])
    lonely = make_user("solo", lonely_tenant)
    group = services.users.create_group(lonely_tenant.id, "Global Administrators")
    services.users.add_member(group, lonely)
    client = services.apps.create_app(lonely_tenant.id, "Solo app")
    with services.store.transaction() as unit:
        assert not may_grant_admin_consent(lonely, client, unit)


def test_admin_consent_in_another_tenant_provisions_a_multi_tenant_app(
    browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """A Fabrikam administrator consents to a Contoso multi-tenant app: Fabrikam gets the app's service principal
    (as Entra provisions it), after which a Fabrikam user signs in to it (700016 before the consent)."""
    app = services.apps.create_app(world.tenant.id, "Contoso SaaS", redirect_uris=(("web", WEB_REDIRECT),))
    with services.store.transaction(write=True) as unit:
        unit.update_application(replace(app, sign_in_audience=SignInAudience.MULTIPLE_ORGS))
    fabrikam_admin = make_user("fabrikam-admin", world.other_tenant)
    role_service(services).assign_role(world.other_tenant.id, fabrikam_admin.id, "Global Administrator")
    sign_in = {"client_id": app.app_id, "response_type": "code", "redirect_uri": WEB_REDIRECT, "scope": "openid"}
    other = world.authorize_path(world.other_tenant.id)
    sign_in_directly(services, browser, fabrikam_admin)
    before = browser.to_our_pages(browser.get(other, params={**sign_in, "prompt": "none"}))
    assert_error_page(before, Aadsts.UnauthorizedClient_DoesNotMatchRequest)
    consent_path = f"/{world.other_tenant.id}/v2.0/adminconsent"
    params = {
        "client_id": app.app_id,
        "redirect_uri": WEB_REDIRECT,
        "state": "x-tenant",
        "scope": f"{GRAPH_URI}/.default",
    }
    consent = browser.to_our_pages(browser.get(consent_path, params=params))
    response = browser.to_our_pages(browser.submit(consent, "/consent", answer="accept"))
    assert reply_params(response, WEB_REDIRECT) == {
        "tenant": world.other_tenant.id,
        "state": "x-tenant",
        "admin_consent": "True",
    }
    provisioned = [sp for sp in services.apps.list_service_principals(world.other_tenant.id) if sp.app_id == app.app_id]
    assert len(provisioned) == 1
    assert reply_params(browser.get(other, params={**sign_in, "prompt": "none"}), WEB_REDIRECT)["code"]


def test_a_role_held_through_a_role_assignable_group_counts(
    services: Services, world: World, make_user: Callable[..., User]
) -> None:
    """A member of a role-assignable group holding Cloud Application Administrator consents for the tenant's
    own APIs, as one holding the role directly does."""
    member = make_user("consenter-by-group", world.tenant)
    group = Group(str(uuid.uuid4()), world.tenant.id, "App admins", datetime.now(UTC), is_assignable_to_role=True)
    with services.store.transaction(write=True) as unit:
        unit.add_group(group)
        unit.add_group_member(world.tenant.id, group.id, member.id)
    role_service(services).assign_role(world.tenant.id, group.id, "Cloud Application Administrator")
    with services.store.transaction() as unit:
        assert may_grant_admin_consent(member, world.needs_admin, unit)
