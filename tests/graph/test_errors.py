"""Every error the Graph API gives is Graph's envelope with the right code and status, and none is a 500:
authentication (401 `InvalidAuthenticationToken`), authorization (403), not found (404), bad input (400,
including FastAPI's validation errors and OData options), tenant policy violations
(`CredentialInvalidLifetimeAsPerAppPolicy`), unknown segments and wrong methods."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from graph.helpers import BAD_REQUEST, DENIED, INVALID_TOKEN, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.common.ids import new_guid


def test_missing_token_is_401_with_bearer_challenge(client: Any) -> None:
    """No `Authorization` header: 401 `InvalidAuthenticationToken`, `WWW-Authenticate: Bearer`."""
    error = assert_graph_error(client.get("/v1.0/applications"), 401, INVALID_TOKEN)
    assert error["message"] == "Access token is empty."


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "])
def test_malformed_or_foreign_token_is_401(client: Any, header: str) -> None:
    """A token that does not verify against our published keys is refused the same way."""
    assert_graph_error(
        client.get("/v1.0/applications", headers={"Authorization": header}), 401, "InvalidAuthenticationToken"
    )


def test_token_for_another_audience_is_401(graph: GraphWorld, client: Any) -> None:
    """A valid token of ours for some other API is not a Graph token."""
    api = graph.services.apps.create_app(graph.tenant.id, "Some API", identifier_uris=("api://graph-suite/other",))
    graph.services.apps.add_app_role(api, "Things.Read")
    daemon, secret = graph.daemon()
    daemon = graph.services.apps.add_permission(daemon, api.app_id, "Things.Read", "Role")
    form = {"grant_type": "client_credentials", "client_id": daemon.app_id, "client_secret": secret}
    response = client.post(graph.token_url(), data={**form, "scope": "api://graph-suite/other/.default"})
    token = response.json()["access_token"]
    graph.sensitive.add(token)
    error = assert_graph_error(client.get("/v1.0/applications", headers=auth(token)), 401, INVALID_TOKEN)
    assert "Invalid audience" in error["message"]


def test_client_request_id_is_echoed(graph: GraphWorld, client: Any) -> None:
    """`client-request-id` comes back as a header and in `innerError`; `request-id` is ours."""
    response = client.get("/v1.0/nothing-here", headers={"client-request-id": "my-correlation-1"})
    error = assert_graph_error(response, 400, "BadRequest")
    assert error["innerError"]["client-request-id"] == "my-correlation-1"
    assert error["message"] == "Resource not found for the segment 'nothing-here'."


def test_no_role_is_403_naming_the_roles(graph: GraphWorld, client: Any) -> None:
    """A user without a directory role is refused, and told which roles would allow the action."""
    token = graph.user_token(graph.new_user("nobody"))
    app = graph.new_app()
    response = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(response, 403, DENIED)
    for role in ("Global Administrator", "Application Administrator", "Cloud Application Administrator"):
        assert role in error["message"]
    assert "ownership of the application" in error["message"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/v1.0/applications/not-a-guid", "Invalid object identifier 'not-a-guid'."),
        ("/v1.0/applications?$filter=displayName gt 'a'", "operator 'gt' is not supported"),
        ("/v1.0/applications?$top=0", "Invalid $top value"),
        ("/v1.0/applications?$select=nope", "unknown property 'nope'"),
        ("/v1.0/applications?$expand=owners", "Query option '$expand' is not supported."),
        ("/v1.0/applications?$top=1&$top=2", "specified more than once"),
        ("/v1.0/applications?$skiptoken=AAAAAAAAAAAAAAAA", "Invalid $skiptoken"),
    ],
)
def test_bad_ids_and_odata_options_are_400(graph: GraphWorld, client: Any, path: str, message: str) -> None:
    """Malformed ids and OData options Graph would refuse: 400 `Request_BadRequest` naming the problem."""
    token = graph.app_token("Application.ReadWrite.All")
    error = assert_graph_error(client.get(path, headers=auth(token)), 400, BAD_REQUEST)
    assert message in error["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"displayName": "x", "colour": "blue"}, "Invalid property 'colour'."),
        ({"displayName": 5}, "Invalid value for 'displayName'"),
        ({"displayName": "x", "signInAudience": "Everyone"}, "Invalid value for 'signInAudience'"),
        ({"identifierUris": ["ftp://x"], "displayName": "x"}, "not a valid App ID URI"),
        ({}, "displayName is required"),
    ],
)
def test_invalid_bodies_are_400_not_422(graph: GraphWorld, client: Any, body: dict[str, Any], message: str) -> None:
    """FastAPI's 422 validation errors and the domain's refusals both become Graph's 400."""
    token = graph.app_token("Application.ReadWrite.All")
    error = assert_graph_error(
        client.post("/v1.0/applications", headers=auth(token), json=body), 400, "Request_BadRequest"
    )
    assert message in error["message"]


def test_body_that_is_not_json_is_400(graph: GraphWorld, client: Any) -> None:
    """A broken JSON body is a 400 too."""
    token = graph.app_token("Application.ReadWrite.All")
    headers = auth(token, **{"Content-Type": "application/json"})
    response = client.post("/v1.0/applications", headers=headers, content=b"{not json")
    assert_graph_error(response, 400, BAD_REQUEST)


def test_unknown_object_is_404(graph: GraphWorld, client: Any) -> None:
    """An id the tenant does not have: 404 `Request_ResourceNotFound`, in Graph's words."""
    token = graph.app_token("Application.ReadWrite.All")
    missing = new_guid()
    error = assert_graph_error(
        client.get(f"/v1.0/applications/{missing}", headers=auth(token)), 404, "Request_ResourceNotFound"
    )
    assert error["message"].startswith(f"Resource '{missing}' does not exist")


def test_another_tenants_app_is_404(graph: GraphWorld, client: Any) -> None:
    """Graph never shows another tenant's objects: a Fabrikam app is simply not found."""
    foreign = graph.new_app(tenant=graph.other_tenant)
    token = graph.app_token("Application.ReadWrite.All")
    assert_graph_error(
        client.get(f"/v1.0/applications/{foreign.id}", headers=auth(token)), 404, "Request_ResourceNotFound"
    )


def test_wrong_method_is_405(graph: GraphWorld, client: Any) -> None:
    """PUT is not a Graph method for applications."""
    token = graph.app_token("Application.ReadWrite.All")
    response = client.put("/v1.0/applications", headers=auth(token), json={})
    assert_graph_error(response, 405, BAD_REQUEST)
    assert "GET" in response.headers["allow"]


def test_lifetime_over_tenant_policy_is_credential_invalid_lifetime(graph: GraphWorld, client: Any) -> None:
    """With a 180-day cap, `addPassword` with Graph's default (2 years) is refused with the policy error and
    its `details` entry (entra-reference §4.7); a 90-day secret is fine."""
    tenant = graph.services.directory.create_tenant("Capped", [f"capped-{new_guid()[:6]}.example"])
    token = graph.app_token("Application.ReadWrite.All", tenant=tenant)
    graph.services.credentials.set_policy(tenant.id, timedelta(days=180))
    app = graph.new_app(tenant=tenant)
    response = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(response, 400, "CredentialInvalidLifetimeAsPerAppPolicy")
    assert error["message"].startswith("Credential lifetime exceeds the max value allowed as per assigned policy")
    assert error["details"] == [{"code": "InvalidKeyEndDate", "message": error["message"], "target": "EndDate"}]
    end = (graph.services.clock.now() + timedelta(days=90)).isoformat()
    body = {"passwordCredential": {"endDateTime": end}}
    ok = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json=body)
    assert ok.status_code == 200, ok.text
    graph.sensitive.add(ok.json()["secretText"])
