"""MSAL Python's `ConfidentialClientApplication`, unmodified, against the live server (msal-compat §2.2).

Only the authority and `instance_discovery=False` are set; the CA comes from `REQUESTS_CA_BUNDLE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.certs import ClientCertificate, make_client_certificate
from support.tokens import JWT_BEARER, decode_unverified
from support.wire import SentRequest, token_requests
from support.world import ClientApp, CompatEnv

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def cert_client(compat_world: CompatEnv) -> Iterator[tuple[ClientApp, ClientCertificate]]:
    """A client with one registered certificate (no secret), holding the roles on the v1 and v2 APIs."""
    client = compat_world.new_client("MSAL cert daemon", grants=(compat_world.v1, compat_world.v2), with_secret=False)
    cert = make_client_certificate("msal compat client")
    compat_world.add_certificate(client.app, cert)
    yield client, cert


def _sent_assertion(env: CompatEnv, wire: list[SentRequest]) -> dict[str, dict[str, object]]:
    """Header and claims of the one client assertion the test sent (now under the log guard)."""
    [request] = token_requests(wire)
    assert request.form["client_assertion_type"] == JWT_BEARER
    assert "client_secret" not in request.form
    env.watch("client assertion", request.form["client_assertion"])
    decoded = decode_unverified(request.form["client_assertion"])
    return {"header": decoded.header, "claims": decoded.claims}


@pytest.mark.parametrize("resource_name", ["v1", "v2", "bare"])
def test_secret_token_is_signed_and_shaped_like_entra(env: CompatEnv, resource_name: str) -> None:
    """A secret gets a JWKS-verifiable RS256 token with the resource's version of the claims and acr "1";
    `roles` is present for the APIs whose role the client holds and absent for the one it holds none on."""
    resource = getattr(env, resource_name)
    result = env.msal_app(env.client.client_id, env.client.secret_text).acquire_token_for_client([resource.scope])
    token = env.token_of(result)
    assert result["token_type"] == "Bearer"
    env.check_app_token(token, client=env.client, resource=resource, acr="1", expires_in=result["expires_in"])


def test_second_acquire_is_served_from_msal_cache(env: CompatEnv, wire: list[SentRequest]) -> None:
    """The response has what MSAL's cache needs (msal-compat §2.2): the second call never reaches the server."""
    app = env.msal_app(env.client.client_id, env.client.secret_text)
    first = app.acquire_token_for_client([env.v2.scope])
    second = app.acquire_token_for_client([env.v2.scope])
    assert env.token_of(first) == env.token_of(second)
    assert (first["token_source"], second["token_source"]) == ("identity_provider", "cache")
    assert len(token_requests(wire)) == 1


def test_certificate_from_pfx_sends_ps256(
    env: CompatEnv, wire: list[SentRequest], cert_client: tuple[ClientApp, ClientCertificate], tmp_path: Path
) -> None:
    """From a PFX MSAL computes the SHA-256 thumbprint and signs PS256 (salt 32) with `x5t#S256`, no `x5c`;
    the server verifies it and the v2 token records azpacr "2"."""
    client, cert = cert_client
    pfx = tmp_path / "client.pfx"
    pfx.write_bytes(cert.pfx())
    result = env.msal_app(client.client_id, {"private_key_pfx_path": str(pfx)}).acquire_token_for_client([env.v2.scope])
    env.check_app_token(env.token_of(result), client=client, resource=env.v2, acr="2")
    sent = _sent_assertion(env, wire)
    assert sent["header"]["alg"] == "PS256"
    assert str(sent["header"]["x5t#S256"]).rstrip("=") == cert.x5t_s256
    assert "x5c" not in sent["header"] and "x5t" not in sent["header"]
    assert sent["claims"]["aud"] == env.token_url


def test_certificate_with_public_certificate_sends_ps256_with_x5c(
    env: CompatEnv, wire: list[SentRequest], cert_client: tuple[ClientApp, ClientCertificate]
) -> None:
    """With a PEM `public_certificate` MSAL signs PS256 with `x5t#S256` and adds `x5c` (the PEM body, newlines
    and all); the server must accept it like any other assertion from a registered certificate."""
    client, cert = cert_client
    credential = {"private_key": cert.private_key_pem, "public_certificate": cert.certificate_pem}
    result = env.msal_app(client.client_id, credential).acquire_token_for_client([env.v2.scope])
    sent = _sent_assertion(env, wire)
    assert sent["header"]["alg"] == "PS256"
    assert str(sent["header"]["x5t#S256"]).rstrip("=") == cert.x5t_s256
    assert "x5c" in sent["header"]
    env.check_app_token(env.token_of(result), client=client, resource=env.v2, acr="2")


def test_certificate_with_thumbprint_sends_rs256(
    env: CompatEnv, wire: list[SentRequest], cert_client: tuple[ClientApp, ClientCertificate]
) -> None:
    """With only a SHA-1 `thumbprint` MSAL signs RS256 with `x5t`; the v1 token records appidacr "2"."""
    client, cert = cert_client
    credential = {"private_key": cert.private_key_pem, "thumbprint": cert.sha1_hex}
    result = env.msal_app(client.client_id, credential).acquire_token_for_client([env.v1.scope])
    env.check_app_token(env.token_of(result), client=client, resource=env.v1, acr="2")
    sent = _sent_assertion(env, wire)
    assert sent["header"]["alg"] == "RS256"
    assert str(sent["header"]["x5t"]).rstrip("=") == cert.x5t
    assert "x5t#S256" not in sent["header"]


def test_unregistered_certificate_is_700027(env: CompatEnv, cert_client: tuple[ClientApp, ClientCertificate]) -> None:
    """An assertion signed by a certificate the app never registered is AADSTS700027 (invalid_client)."""
    client, _ = cert_client
    stranger = make_client_certificate("not registered")
    credential = {"private_key": stranger.private_key_pem, "public_certificate": stranger.certificate_pem}
    result = env.msal_app(client.client_id, credential).acquire_token_for_client([env.v2.scope])
    assert "access_token" not in result
    assert (result["error"], result["error_codes"]) == ("invalid_client", [700027])
    assert result["error_description"].startswith("AADSTS700027:")
