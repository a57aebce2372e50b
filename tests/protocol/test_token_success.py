"""Successful client-credentials responses: headers, body shape, client authentication methods.

RFC 6749 §5.1 (no-store, no-cache), Entra's body (no `scope`, `expires_in` = `ext_expires_in`,
60–90 minutes), `client_secret_basic` with form-urlencoded halves (RFC 6749 §2.3.1), and
certificate assertions signed RS256/`x5t` or PS256/`x5t#S256` (msal-compat §2.2).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import (
    API_V1_URI,
    API_V2_URI,
    BASE_URL,
    DOMAIN,
    JSON_UTF8,
    SECOND_DOMAIN,
    TestClient,
    TokenPoster,
    World,
    assertion_form,
    is_guid,
    make_assertion,
    secret_form,
)


def percent_encoded(text: str) -> str:
    """Every byte as %XX: the most-encoded form a client may legally send."""
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8"))


def basic_header(client_id: str, secret: str) -> str:
    """`Authorization: Basic` with both halves form-urlencoded before base64 (RFC 6749 §2.3.1)."""
    raw = f"{percent_encoded(client_id)}:{percent_encoded(secret)}"
    return "Basic " + base64.b64encode(raw.encode("ascii")).decode("ascii")


def verified_claims(client: TestClient, world: World, access_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a token, its signature checked against the tenant's published JWKS."""
    keys = client.get(f"/{world.tenant.id}/discovery/v2.0/keys").json()
    token = jwt.decode(access_token, KeySet.import_key_set(keys), algorithms=["RS256"])
    return dict(token.header), dict(token.claims)


def test_success_headers_and_body(world: World, token: TokenPoster) -> None:
    """A token response is never cached, is JSON UTF-8, and has exactly Entra's four fields."""
    response = token(world.token_path(), secret_form(world.confidential))
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["content-type"] == JSON_UTF8
    assert is_guid(response.headers["x-ms-request-id"])
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert "scope" not in body
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"]
    assert 3600 <= body["expires_in"] <= 5400


def test_v1_resource_token(client: TestClient, world: World, token: TokenPoster) -> None:
    """A v1 resource gets a v1 token: aud echoes the identifier asked for, `appid`/`appidacr`, x5t = kid."""
    body = token(world.token_path(), secret_form(world.confidential)).json()
    header, claims = verified_claims(client, world, body["access_token"])
    assert header["x5t"] == header["kid"]
    assert claims["ver"] == "1.0"
    assert claims["aud"] == API_V1_URI
    assert claims["iss"] == f"{BASE_URL}/{world.tenant.id}/"
    assert claims["appid"] == world.confidential.client_id
    assert claims["appidacr"] == "1"
    assert claims["roles"] == ["Orders.Read"]
    assert claims["exp"] - claims["iat"] == body["expires_in"] + 300


def test_v2_resource_token_by_certificate(client: TestClient, world: World, token: TokenPoster) -> None:
    """A v2 resource gets `aud` = appId, `azp`/`azpacr` ("2" for a certificate) and the v2.0 issuer."""
    assertion = make_assertion(world.cert, world.confidential.client_id, world.token_url)
    form = assertion_form(world.confidential.client_id, assertion, scope=f"{API_V2_URI}/.default")
    body = token(world.token_path(), form).json()
    _, claims = verified_claims(client, world, body["access_token"])
    assert claims["ver"] == "2.0"
    assert claims["aud"] == world.api_v2.app_id
    assert claims["iss"] == f"{BASE_URL}/{world.tenant.id}/v2.0"
    assert claims["azp"] == world.confidential.client_id
    assert claims["azpacr"] == "2"
    assert claims["roles"] == ["Stock.Read"]


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_certificate_assertion_algorithms(world: World, token: TokenPoster, alg: str) -> None:
    """Both MSAL shapes work: RS256 with `x5t` and PS256 with `x5t#S256`."""
    assertion = make_assertion(world.cert, world.confidential.client_id, world.token_url, alg=alg)
    response = token(world.token_path(), assertion_form(world.confidential.client_id, assertion))
    assert response.status_code == 200, response.text


def test_assertion_audience_may_name_a_domain(world: World, token: TokenPoster) -> None:
    """`aud` may be the token endpoint under a verified domain even when the request used the GUID."""
    audience = f"{BASE_URL}/{SECOND_DOMAIN}/oauth2/v2.0/token"
    assertion = make_assertion(world.cert, world.confidential.client_id, audience)
    response = token(world.token_path(), assertion_form(world.confidential.client_id, assertion))
    assert response.status_code == 200, response.text


def test_client_secret_basic_urlencoded(world: World, token: TokenPoster) -> None:
    """`client_secret_basic` works when id and secret are form-urlencoded inside the Basic value."""
    secret = world.confidential.secret
    assert secret is not None
    form = {"grant_type": "client_credentials", "scope": f"{API_V1_URI}/.default"}
    headers = {"Authorization": basic_header(world.confidential.client_id, secret)}
    response = token(world.token_path(), form, headers=headers)
    assert response.status_code == 200, response.text


def test_client_secret_basic_with_matching_body_client_id(world: World, token: TokenPoster) -> None:
    """A body `client_id` equal to the Basic one is allowed (MSAL sends both)."""
    secret = world.confidential.secret
    assert secret is not None
    form = {
        "grant_type": "client_credentials",
        "client_id": world.confidential.client_id,
        "scope": f"{API_V1_URI}/.default",
    }
    headers = {"Authorization": basic_header(world.confidential.client_id, secret)}
    assert token(world.token_path(), form, headers=headers).status_code == 200


@pytest.mark.parametrize("segment", [DOMAIN, DOMAIN.upper(), SECOND_DOMAIN])
def test_tenant_by_verified_domain(world: World, token: TokenPoster, segment: str) -> None:
    """The token endpoint takes any verified domain of the tenant, case-insensitively."""
    response = token(world.token_path(segment), secret_form(world.confidential))
    assert response.status_code == 200, response.text


def test_resource_by_app_id(client: TestClient, world: World, token: TokenPoster) -> None:
    """`{appId}/.default` names the resource too; a v1 token's `aud` is then the appId."""
    form = secret_form(world.confidential, scope=f"{world.api_v1.app_id}/.default")
    body = token(world.token_path(), form).json()
    _, claims = verified_claims(client, world, body["access_token"])
    assert claims["aud"] == world.api_v1.app_id
