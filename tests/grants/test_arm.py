"""The ARM surface (`/arm`, issue 13 §3) over HTTP: the cloud metadata document, ARM's error envelope, tokens
for ARM's audience only, and a tenant's subscriptions and tenant record, never another tenant's."""

from __future__ import annotations

from typing import Any

import pytest

from grants.world import PASSWORD, GrantsWorld
from protocol.conftest import BASE_URL, TokenPoster
from tenantry.apps.first_party import AZURE_CLI_APP_ID

API = "api-version=2022-12-01"


def user_token(token: TokenPoster, world: GrantsWorld, resource: str) -> str:
    """Alice's token from the Azure CLI's client (as `az login -u/-p`) for `resource`."""
    form = {
        "grant_type": "password",
        "client_id": AZURE_CLI_APP_ID,
        "username": world.alice.user_principal_name,
        "password": PASSWORD,
        "scope": f"{resource}/.default openid profile offline_access",
    }
    response = token(world.token_path(), form)
    assert response.status_code == 200, response.text
    world.sensitive.add(response.json().get("refresh_token"))
    access: str = response.json()["access_token"]
    return access


def arm_error(response: Any, status: int, code: str) -> str:
    """ARM's envelope with this status and code; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    return message


@pytest.fixture(scope="module")
def arm_token(grants: GrantsWorld, token: TokenPoster) -> str:
    """An ARM token of alice (v1 audience https://management.core.windows.net/)."""
    return user_token(token, grants, "https://management.core.windows.net/")


def test_metadata_names_this_server(token: TokenPoster) -> None:
    """What `az cloud register --endpoint-resource-manager` reads: our authority, ARM's audiences, Graph at
    our public URL, ARM on the other loopback name; no token needed, `api-version` is."""
    body = token.client.get("/arm/metadata/endpoints?api-version=2022-09-01").json()
    assert body["authentication"]["loginEndpoint"] == f"{BASE_URL}/"
    assert body["authentication"]["audiences"][0] == "https://management.core.windows.net/"
    assert body["microsoftGraphResourceId"] == f"{BASE_URL}/"
    assert body["resourceManager"] == "https://127.0.0.1:8443/arm/"
    assert "suffixes" in body and body["name"] == "Tenantry"
    arm_error(token.client.get("/arm/metadata/endpoints"), 400, "MissingApiVersionParameter")


def test_subscriptions_of_the_callers_tenant_only(grants: GrantsWorld, token: TokenPoster, arm_token: str) -> None:
    """GET /subscriptions lists the tenant's subscriptions; another tenant's is neither listed nor readable."""
    mine = grants.services.subscriptions.create(grants.tenant.id, "Grants Dev")
    theirs = grants.services.subscriptions.create(grants.other_tenant.id, "Fabrikam Prod")
    headers = {"Authorization": f"Bearer {arm_token}"}
    listed = token.client.get(f"/arm/subscriptions?{API}", headers=headers).json()
    assert [s["subscriptionId"] for s in listed["value"]] == [mine.id]
    assert listed["value"][0]["tenantId"] == grants.tenant.id and listed["value"][0]["state"] == "Enabled"
    one = token.client.get(f"/arm/subscriptions/{mine.id.upper()}?{API}", headers=headers)
    assert one.status_code == 200 and one.json()["displayName"] == "Grants Dev"
    other = token.client.get(f"/arm/subscriptions/{theirs.id}?{API}", headers=headers)
    arm_error(other, 404, "SubscriptionNotFound")


def test_tenants_lists_the_callers_tenant(grants: GrantsWorld, token: TokenPoster, arm_token: str) -> None:
    """GET /tenants: the caller's tenant with its domains (az keeps defaultDomain and displayName)."""
    body = token.client.get(f"/arm/tenants?{API}", headers={"Authorization": f"Bearer {arm_token}"}).json()
    [tenant] = body["value"]
    assert (tenant["tenantId"], tenant["displayName"]) == (grants.tenant.id, grants.tenant.display_name)
    assert tenant["defaultDomain"] == grants.tenant.domains[0] and tenant["domains"] == list(grants.tenant.domains)


def test_tokens_for_arm_only(grants: GrantsWorld, token: TokenPoster) -> None:
    """No token → 401 AuthenticationFailed with a Bearer challenge; a Graph token (right issuer, wrong
    audience) → 401 InvalidAuthenticationToken; garbage → 401 too."""
    missing = token.client.get(f"/arm/subscriptions?{API}")
    arm_error(missing, 401, "AuthenticationFailed")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    graph = user_token(token, grants, BASE_URL)
    wrong = token.client.get(f"/arm/subscriptions?{API}", headers={"Authorization": f"Bearer {graph}"})
    assert "audience" in arm_error(wrong, 401, "InvalidAuthenticationToken")
    junk = token.client.get(f"/arm/tenants?{API}", headers={"Authorization": "Bearer not.a.token"})
    arm_error(junk, 401, "InvalidAuthenticationToken")


def test_unknown_paths_and_methods_in_arms_words(token: TokenPoster, arm_token: str) -> None:
    """ARM's envelope for what is not here: 404 NotFound, 405 MethodNotAllowed, 400 without api-version."""
    headers = {"Authorization": f"Bearer {arm_token}"}
    arm_error(token.client.get(f"/arm/resourceGroups?{API}", headers=headers), 404, "NotFound")
    arm_error(token.client.post(f"/arm/subscriptions?{API}", headers=headers), 405, "MethodNotAllowed")
    arm_error(token.client.get("/arm/subscriptions", headers=headers), 400, "MissingApiVersionParameter")
