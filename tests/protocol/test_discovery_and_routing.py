"""Errors of the discovery endpoints, wrong HTTP methods (AADSTS900561) and unknown paths.

Metadata and JWKS resolve `{tenant}` like the token endpoint (unknown → AADSTS90002); instance
discovery vouches only for our own host (AADSTS50049, `invalid_instance`, the value MSAL acts on).
A method an endpoint does not take is a 405 with `Allow`; a path nobody serves is a JSON 404.
"""

from __future__ import annotations

import uuid

import pytest

from tenantry.apps.first_party import SYSTEM_TENANT_ID

from .conftest import (
    BASE_URL,
    DOMAIN,
    JSON_UTF8,
    TestClient,
    World,
    assert_entra_error,
    is_guid,
    message_of,
)

METADATA = "/{tenant}/v2.0/.well-known/openid-configuration"
JWKS_V2 = "/{tenant}/discovery/v2.0/keys"
JWKS_V1 = "/{tenant}/discovery/keys"
UNKNOWN_TENANTS = [str(uuid.uuid4()), SYSTEM_TENANT_ID, "nowhere.example", "not_a_tenant", "a" * 300]


@pytest.mark.parametrize("template", [METADATA, JWKS_V2, JWKS_V1], ids=["metadata", "jwks-v2", "jwks-v1"])
@pytest.mark.parametrize("segment", UNKNOWN_TENANTS, ids=["guid", "system-tenant", "domain", "garbage", "very-long"])
def test_discovery_unknown_tenant(client: TestClient, template: str, segment: str) -> None:
    """Metadata and keys of a tenant nobody knows are AADSTS90002 (invalid_tenant, 400)."""
    response = client.get(template.format(tenant=segment))
    body = assert_entra_error(response, 90002, 400, "invalid_tenant")
    assert segment[:50] in message_of(body)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?authorization_endpoint=",
        "?authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "?authorization_endpoint=https://localhost:8443",
        "?authorization_endpoint=not%20a%20url",
    ],
    ids=["missing", "empty", "foreign-host", "no-path", "not-a-url"],
)
def test_instance_discovery_refuses_other_authorities(client: TestClient, query: str) -> None:
    """Instance discovery for anything but an authority on this host is AADSTS50049 (invalid_instance)."""
    response = client.get(f"/common/discovery/instance{query}")
    assert_entra_error(response, 50049, 400, "invalid_instance")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_token_endpoint_wrong_method(client: TestClient, world: World, method: str) -> None:
    """The token endpoint takes POST only: 405, `Allow: POST`, AADSTS900561 naming the method."""
    response = client.request(method, world.token_path())
    body = assert_entra_error(response, 900561, 405, "invalid_request")
    assert response.headers["allow"] == "POST"
    assert method in message_of(body)


@pytest.mark.parametrize(
    "template",
    [METADATA, JWKS_V2, JWKS_V1, "/common/discovery/instance"],
    ids=["metadata", "jwks-v2", "jwks-v1", "instance"],
)
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_discovery_wrong_method(client: TestClient, world: World, template: str, method: str) -> None:
    """Discovery endpoints take GET (and HEAD): other methods are AADSTS900561 with `Allow`."""
    response = client.request(method, template.format(tenant=world.tenant.id))
    assert_entra_error(response, 900561, 405, "invalid_request")
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD"}


@pytest.mark.parametrize("path", ["/", "/nope", "/{tenant}/oauth2/v2.0/nope", "/{tenant}/v2.0/nope/deeper"])
def test_unknown_path_is_json_404(client: TestClient, world: World, path: str) -> None:
    """Paths nobody serves answer a JSON 404 with `error` = not_found and a trace id."""
    response = client.get(path.format(tenant=world.tenant.id))
    assert response.status_code == 404
    assert response.headers["content-type"] == JSON_UTF8
    body = response.json()
    assert body["error"] == "not_found"
    assert is_guid(body["trace_id"])


def test_metadata_by_domain_names_the_tenant_guid(client: TestClient, world: World) -> None:
    """Metadata asked for by domain (any case) names the tenant GUID in issuer and endpoints."""
    response = client.get(METADATA.format(tenant=DOMAIN.upper()))
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    document = response.json()
    assert document["issuer"] == f"{BASE_URL}/{world.tenant.id}/v2.0"
    assert document["token_endpoint"] == f"{BASE_URL}/{world.tenant.id}/oauth2/v2.0/token"
    assert document["jwks_uri"] == f"{BASE_URL}/{world.tenant.id}/discovery/v2.0/keys"


@pytest.mark.parametrize(
    ("alias", "issuer_tenant"),
    [("common", "{tenantid}"), ("organizations", "{tenantid}"), ("consumers", "9188040d-6c67-4c5b-b112-36a304b66dad")],
)
def test_metadata_of_aliases(client: TestClient, alias: str, issuer_tenant: str) -> None:
    """The aliases serve metadata with Entra's issuer template (or the MSA tenant for consumers)."""
    document = client.get(METADATA.format(tenant=alias)).json()
    assert document["issuer"] == f"{BASE_URL}/{issuer_tenant}/v2.0"
    assert document["token_endpoint"] == f"{BASE_URL}/{alias}/oauth2/v2.0/token"


def test_jwks_key_fields(client: TestClient, world: World) -> None:
    """Every published key has Entra's fields, `x5t` = `kid`, and the `{tenantid}` issuer template."""
    keys = client.get(JWKS_V2.format(tenant=world.tenant.id)).json()["keys"]
    assert keys
    for key in keys:
        assert {"kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer"} <= set(key)
        assert (key["kty"], key["use"], key["x5t"]) == ("RSA", "sig", key["kid"])
        assert key["issuer"] == f"{BASE_URL}/{{tenantid}}/v2.0"
