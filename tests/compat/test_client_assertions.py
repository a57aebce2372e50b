"""Hand-built client assertions (RFC 7523 §3) posted to the live token endpoint: replay, unknown certificate, time.

These cases cannot be produced with an unmodified MSAL, so the assertion is built with joserfc exactly as
MSAL would (RS256, `x5t`, `aud` = the token endpoint) and then bent in one way.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from support.certs import ClientCertificate, make_client_certificate
from support.tokens import JWT_BEARER, make_client_assertion
from support.world import ClientApp, CompatEnv
from tenantry.config import Settings
from tenantry.errors import get_spec

pytestmark = pytest.mark.compat

# The server runs with the default skew (the fixture clears TENANTRY_* from its environment).
SKEW: int = Settings.model_fields["clock_skew"].default


@pytest.fixture(scope="module")
def cert_client(compat_world: CompatEnv) -> Iterator[tuple[ClientApp, ClientCertificate]]:
    """A client with one registered certificate and the v2 API's role."""
    client = compat_world.new_client("Assertion daemon", grants=(compat_world.v2,), with_secret=False)
    cert = make_client_certificate("assertion compat client")
    compat_world.add_certificate(client.app, cert)
    yield client, cert


def _post(env: CompatEnv, client: ClientApp, assertion: str) -> httpx.Response:
    env.watch("client assertion", assertion)
    form = {
        "client_id": client.client_id,
        "grant_type": "client_credentials",
        "scope": env.v2.scope,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
    }
    response = env.http.post(f"/{env.tenant.id}/oauth2/v2.0/token", data=form)
    if response.status_code == 200:
        env.watch("access token", response.json()["access_token"])
    return response


def _assert_error(response: httpx.Response, code: int) -> None:
    """The catalogue's status and `error` for `code`, with the code in `error_codes`."""
    spec = get_spec(code)
    body = response.json()
    assert (response.status_code, body["error"], body["error_codes"]) == (spec.http_status, spec.oauth_error, [code])


def test_replayed_jti_is_50012(env: CompatEnv, cert_client: tuple[ClientApp, ClientCertificate]) -> None:
    """An assertion's `jti` is single-use (RFC 7523 §3 item 7): replaying the same assertion, or signing a new one
    with the same jti, is 50012; a fresh jti works."""
    client, cert = cert_client
    jti = str(uuid.uuid4())
    first = make_client_assertion(cert, client_id=client.client_id, audience=env.token_url, jti=jti)
    response = _post(env, client, first)
    assert response.status_code == 200, response.text
    env.check_app_token(response.json()["access_token"], client=client, resource=env.v2, acr="2")
    _assert_error(_post(env, client, first), 50012)
    same_jti = make_client_assertion(
        cert, client_id=client.client_id, audience=env.token_url, jti=jti, issued_at=time.time() - 5
    )
    assert same_jti != first
    _assert_error(_post(env, client, same_jti), 50012)
    fresh = make_client_assertion(cert, client_id=client.client_id, audience=env.token_url)
    assert _post(env, client, fresh).status_code == 200


def test_unregistered_certificate_is_700027(env: CompatEnv, cert_client: tuple[ClientApp, ClientCertificate]) -> None:
    """An assertion whose `x5t` names no certificate of the app is 700027."""
    client, _ = cert_client
    stranger = make_client_certificate("stranger")
    _assert_error(
        _post(env, client, make_client_assertion(stranger, client_id=client.client_id, audience=env.token_url)), 700027
    )


@pytest.mark.parametrize(
    ("seconds_expired", "accepted"),
    [(SKEW - 60, True), (SKEW + 120, False)],
    ids=["within-skew", "beyond-skew"],
)
def test_expired_assertion_beyond_skew_is_500133(
    env: CompatEnv, cert_client: tuple[ClientApp, ClientCertificate], seconds_expired: int, accepted: bool
) -> None:
    """`exp` in the past is tolerated within the clock skew (300 s) and refused with 500133 beyond it."""
    client, cert = cert_client
    lifetime = 600
    assertion = make_client_assertion(
        cert,
        client_id=client.client_id,
        audience=env.token_url,
        issued_at=time.time() - lifetime - seconds_expired,
        lifetime=lifetime,
    )
    response = _post(env, client, assertion)
    if accepted:
        assert response.status_code == 200, response.text
    else:
        _assert_error(response, 500133)
