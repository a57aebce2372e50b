"""The public URL in-process (issue 9, item 7): the app is built with `public_url=https://localhost:8443`
and requests name another Host (`127.0.0.1:8443`, a container name). Issuers and published URLs stay the
public URL's; a client assertion's `aud` may name the token endpoint under the public URL or under the
host the request used, and nothing else. The live-server counterparts are in `tests/compat/test_public_url.py`.
"""

from __future__ import annotations

import pytest

from support.tokens import decode_unverified

from .conftest import BASE_URL, TestClient, TokenPoster, World, assert_entra_error, assertion_form, make_assertion

OTHER = "https://127.0.0.1:8443"


def test_a_token_got_under_another_host_has_the_public_issuer(world: World, token: TokenPoster) -> None:
    """The token endpoint called as `https://tenantry:8443` (a container name) issues `iss` on the public URL."""
    assertion = make_assertion(world.cert, world.confidential.client_id, world.token_url)
    response = token(
        f"https://tenantry:8443{world.token_path()}", assertion_form(world.confidential.client_id, assertion)
    )
    assert response.status_code == 200, response.text
    assert decode_unverified(response.json()["access_token"]).claims["iss"] == f"{BASE_URL}/{world.tenant.id}/"


@pytest.mark.parametrize("aud_base", [BASE_URL, OTHER])
def test_assertion_audience_under_the_public_or_the_called_host(
    world: World, token: TokenPoster, aud_base: str
) -> None:
    """A client given `https://127.0.0.1:8443` as authority builds `aud` from it; one given the public URL
    from that: both work when the request goes to 127.0.0.1."""
    audience = f"{aud_base}{world.token_path()}"
    assertion = make_assertion(world.cert, world.confidential.client_id, audience)
    response = token(f"{OTHER}{world.token_path()}", assertion_form(world.confidential.client_id, assertion))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "audience",
    [
        f"{OTHER}/{{tenant}}/oauth2/v2.0/authorize",  # our host, not the token endpoint
        "https://elsewhere.example/{tenant}/oauth2/v2.0/token",  # a host this request did not name
        "https://127.0.0.1:8443/{tenant}/oauth2/v2.0/token/x",
    ],
)
def test_assertion_audience_stays_our_token_endpoint(world: World, token: TokenPoster, audience: str) -> None:
    """Accepting the called host adds only its token endpoint paths: anything else is still 50012."""
    aud = audience.replace("{tenant}", world.tenant.id)
    assertion = make_assertion(world.cert, world.confidential.client_id, aud)
    response = token(f"{OTHER}{world.token_path()}", assertion_form(world.confidential.client_id, assertion))
    assert_entra_error(response, 50012, 401, "invalid_client")


def test_discovery_under_another_host_lists_the_public_url(client: TestClient, world: World) -> None:
    """openid-configuration and JWKS fetched through 127.0.0.1 name only `https://localhost:8443`."""
    config = client.get(f"{OTHER}/{world.tenant.id}/v2.0/.well-known/openid-configuration").json()
    assert config["issuer"] == f"{BASE_URL}/{world.tenant.id}/v2.0"
    urls = [value for name, value in config.items() if name.endswith(("_endpoint", "_uri"))]
    assert urls and all(url.startswith(f"{BASE_URL}/") for url in urls), urls
    keys = client.get(f"{OTHER}/{world.tenant.id}/discovery/v2.0/keys").json()["keys"]
    assert {key["issuer"] for key in keys} == {f"{BASE_URL}/{{tenantid}}/v2.0"}


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_instance_discovery_vouches_for_the_public_and_the_called_host(client: TestClient, host: str) -> None:
    """Asked through 127.0.0.1, instance discovery knows both names; tenant discovery is on the public URL."""
    params = {"api-version": "1.1", "authorization_endpoint": f"https://{host}/contoso/oauth2/v2.0/authorize"}
    response = client.get(f"{OTHER}/common/discovery/instance", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["tenant_discovery_endpoint"] == f"{BASE_URL}/contoso/v2.0/.well-known/openid-configuration"
    foreign = {**params, "authorization_endpoint": "https://elsewhere.example/contoso/oauth2/v2.0/authorize"}
    assert client.get(f"{OTHER}/common/discovery/instance", params=foreign).json()["error"] == "invalid_instance"
