"""azure-identity's `ClientSecretCredential` and `CertificateCredential`, unmodified (msal-compat §1.6).

Only `authority`, `disable_instance_discovery=True` and `connection_verify=<CA>` are set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential

from support.certs import ClientCertificate, make_client_certificate
from support.tokens import JWT_BEARER, decode_unverified
from support.wire import SentRequest, token_requests
from support.world import ClientApp, CompatEnv

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def cert_client(
    compat_world: CompatEnv, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ClientApp, ClientCertificate, Path]]:
    """A client with a registered certificate (and the v1/v2 roles), and a PEM file holding key and certificate."""
    client = compat_world.new_client("Azure cert daemon", grants=(compat_world.v1, compat_world.v2), with_secret=False)
    cert = make_client_certificate("azure-identity compat client")
    compat_world.add_certificate(client.app, cert)
    path = tmp_path_factory.mktemp("azure-cert") / "client.pem"
    path.write_bytes(cert.combined_pem)
    yield client, cert, path


@pytest.mark.parametrize("resource_name", ["v1", "v2"])
def test_client_secret_credential(env: CompatEnv, resource_name: str) -> None:
    """ClientSecretCredential gets a verifiable token of the resource's version with acr "1", and the
    `expires_on` it reports agrees with the token's `exp`."""
    resource = getattr(env, resource_name)
    credential = env.secret_credential(env.client.client_id, env.client.secret_text)
    with credential:
        access = credential.get_token(resource.scope)
    env.watch("access token", access.token)
    claims = env.check_app_token(access.token, client=env.client, resource=resource, acr="1")
    assert abs(access.expires_on - claims["exp"]) <= 2
    assert access.expires_on > time.time() + env.services.settings.access_token_min_lifetime - 60


def test_client_secret_credential_wrong_secret_is_7000215(env: CompatEnv) -> None:
    """A wrong secret surfaces as `ClientAuthenticationError` carrying Entra's AADSTS7000215 text."""
    wrong = "x" * 44
    env.watch("wrong secret", wrong)
    credential = env.secret_credential(env.client.client_id, wrong)
    with credential, pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(env.v2.scope)
    assert "AADSTS7000215" in str(caught.value)


def test_certificate_credential_sends_rs256_with_x5t(
    env: CompatEnv, wire: list[SentRequest], cert_client: tuple[ClientApp, ClientCertificate, Path]
) -> None:
    """CertificateCredential passes MSAL the SHA-1 thumbprint, so it sends RS256 + `x5t`; the token has acr "2"."""
    client, cert, path = cert_client
    credential = env.certificate_credential(client.client_id, path)
    with credential:
        access = credential.get_token(env.v2.scope)
    env.watch("access token", access.token)
    env.check_app_token(access.token, client=client, resource=env.v2, acr="2")
    [request] = token_requests(wire)
    assert request.form["client_assertion_type"] == JWT_BEARER
    env.watch("client assertion", request.form["client_assertion"])
    header = decode_unverified(request.form["client_assertion"]).header
    assert header["alg"] == "RS256"
    assert str(header["x5t"]).rstrip("=") == cert.x5t
    assert "x5t#S256" not in header and "x5c" not in header


def test_certificate_credential_with_certificate_chain(
    env: CompatEnv, cert_client: tuple[ClientApp, ClientCertificate, Path]
) -> None:
    """`send_certificate_chain=True` (subject-name/issuer auth) adds `x5c`; a registered certificate must still work."""
    client, _, path = cert_client
    credential = CertificateCredential(
        env.tenant.id,
        client.client_id,
        certificate_path=str(path),
        send_certificate_chain=True,
        authority=env.base_url,
        disable_instance_discovery=True,
        connection_verify=str(env.ca_path),
    )
    with credential:
        access = credential.get_token(env.v1.scope)
    env.watch("access token", access.token)
    env.check_app_token(access.token, client=client, resource=env.v1, acr="2")
