"""User grants in the sign-in log (issue 12 §5): ROPC success is a non-interactive user sign-in, a wrong
password a refused one (50126) naming the user, both with the `client-request-id` as `correlationId`."""

from __future__ import annotations

from grants.helpers import form_of
from grants.world import OIDC, ORDERS_URI, PASSWORD, GrantsWorld
from protocol.conftest import TokenPoster
from tenantry.app import Services
from tenantry.common.ids import new_guid
from tenantry.signins.models import ClientApp, EventType, SignInEntry, SignInQuery


def ropc(world: GrantsWorld, token: TokenPoster, password: str, correlation: str) -> int:
    """MSAL's ROPC request for alice through the public `native` client; the status code."""
    form = form_of(
        world.native,
        "password",
        username=world.alice.user_principal_name,
        password=password,
        scope=f"{ORDERS_URI}/Orders.Read {OIDC}",
    )
    return token(world.token_path(), form, headers={"client-request-id": correlation}).status_code


def logged(services: Services, world: GrantsWorld, correlation: str) -> SignInEntry:
    """The request's one entry."""
    services.sign_ins.flush()
    found = [e for e in services.sign_ins.list(SignInQuery(world.tenant.id)) if e.correlation_id == correlation]
    assert len(found) == 1, found
    return found[0]


def test_ropc_success_and_wrong_password(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """Who, with which app, for which resource; the failure carries 50126 and the UPN it was tried for."""
    ok, wrong = new_guid(), new_guid()
    assert ropc(grants, token, PASSWORD, ok) == 200
    assert ropc(grants, token, "Wrong-Password-1", wrong) == 400
    success = logged(services, grants, ok)
    assert success.succeeded and success.event_type is EventType.NON_INTERACTIVE_USER
    assert (success.user_id, success.user_principal_name) == (grants.alice.id, grants.alice.user_principal_name)
    assert success.app_id == grants.native.client_id and success.resource_display_name
    assert success.client_app_used == ClientApp.MODERN and not success.is_interactive
    failure = logged(services, grants, wrong)
    assert failure.status_error_code == 50126 and failure.failure_reason
    assert (failure.user_id, failure.user_principal_name) == (grants.alice.id, grants.alice.user_principal_name)
    assert failure.app_id == grants.native.client_id
