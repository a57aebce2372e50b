"""The token endpoint's sign-in log (issue 12 §5): a client-credentials success is a service-principal
sign-in, a wrong secret a refused one (7000215), each carrying the client's `client-request-id` as
`correlationId` and the caller's address."""

from __future__ import annotations

from tenantry.app import Services
from tenantry.common.ids import new_guid
from tenantry.signins.models import ClientApp, EventType, SignInEntry, SignInQuery

from .conftest import TokenPoster, World, secret_form


def logged(services: Services, world: World, correlation_id: str) -> SignInEntry:
    """The one entry of the request that sent `correlation_id`, once the writer has written it."""
    services.sign_ins.flush()
    entries = [e for e in services.sign_ins.list(SignInQuery(world.tenant.id)) if e.correlation_id == correlation_id]
    assert len(entries) == 1, entries
    return entries[0]


def test_client_credentials_success_is_a_service_principal_sign_in(
    world: World, token: TokenPoster, services: Services
) -> None:
    """Who (the client's app and service principal), for which resource, from where, under which id."""
    correlation = new_guid()
    response = token(world.token_path(), secret_form(world.confidential), headers={"client-request-id": correlation})
    assert response.status_code == 200, response.text
    entry = logged(services, world, correlation)
    assert entry.succeeded and entry.event_type is EventType.SERVICE_PRINCIPAL and not entry.is_interactive
    assert (entry.app_id, entry.app_display_name) == (world.confidential.client_id, world.confidential.app.display_name)
    assert entry.service_principal_id and entry.service_principal_name == world.confidential.app.display_name
    assert (entry.resource_id, entry.resource_display_name) == (world.api_v1.app_id, world.api_v1.display_name)
    assert entry.user_id == "" and entry.ip_address == "testclient"
    assert entry.client_app_used == ClientApp.MODERN and entry.conditional_access_status == "notApplied"
    assert entry.created_at.tzinfo is not None
    assert entry.id == response.headers["x-ms-request-id"]  # Entra's sign-in "Request ID"


def test_wrong_secret_is_logged_as_7000215(world: World, token: TokenPoster, services: Services) -> None:
    """A refused client names the app it claimed and Entra's code and reason."""
    correlation = new_guid()
    form = {**secret_form(world.confidential), "client_secret": "not-the-secret-at-all"}
    response = token(world.token_path(), form, headers={"client-request-id": correlation})
    assert response.status_code == 401
    entry = logged(services, world, correlation)
    assert entry.status_error_code == 7000215 and entry.failure_reason
    assert entry.app_id == world.confidential.client_id
    assert entry.app_display_name == world.confidential.app.display_name
    assert entry.event_type is EventType.SERVICE_PRINCIPAL
    assert entry.id == response.json()["trace_id"]


def test_a_request_naming_no_tenant_is_not_logged(world: World, token: TokenPoster, services: Services) -> None:
    """No tenant could list it: nothing is written, and nothing breaks."""
    correlation = new_guid()
    response = token("/no-such-tenant.example/oauth2/v2.0/token", secret_form(world.confidential))
    assert response.status_code == 400
    services.sign_ins.flush()
    assert not [e for e in services.sign_ins.list(SignInQuery(world.tenant.id)) if e.correlation_id == correlation]
