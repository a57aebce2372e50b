"""The discovery contract Microsoft's clients rely on (entra-reference §1.2–1.5, msal-compat §1.3–1.4).

Any name of a tenant (GUID, verified domain, in any case) yields the same document naming the GUID;
`common` publishes the `{tenantid}` issuer template; MSAL's `//` from a trailing-slash authority works.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from support.certs import b64url
from support.tokens import b64url_decode, verify_rs256
from support.wire import SentRequest, token_requests
from support.world import CompatEnv

pytestmark = pytest.mark.compat

CONFIG_PATH = "v2.0/.well-known/openid-configuration"


def _config(env: CompatEnv, path: str) -> dict[str, Any]:
    response = env.http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


def _segment(env: CompatEnv, form: str) -> str:
    return {
        "guid": env.tenant.id,
        "GUID": env.tenant.id.upper(),
        "domain": env.DOMAIN,
        "DOMAIN": env.DOMAIN.upper(),
    }[form]


@pytest.mark.parametrize("form", ["guid", "GUID", "domain", "DOMAIN"])
def test_every_tenant_name_yields_guid_endpoints(env: CompatEnv, form: str) -> None:
    """GUID or domain, any case: issuer and endpoints name the tenant GUID (msal-node matches issuer to tenant)."""
    document = _config(env, f"/{_segment(env, form)}/{CONFIG_PATH}")
    tenant_base = f"{env.base_url}/{env.tenant.id}"
    assert document["issuer"] == f"{tenant_base}/v2.0"
    assert document["token_endpoint"] == f"{tenant_base}/oauth2/v2.0/token"
    assert document["authorization_endpoint"] == f"{tenant_base}/oauth2/v2.0/authorize"
    assert document["jwks_uri"] == f"{tenant_base}/discovery/v2.0/keys"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"client_secret_post", "private_key_jwt"} <= set(document["token_endpoint_auth_methods_supported"])


def test_common_publishes_the_tenantid_issuer_template(env: CompatEnv) -> None:
    """`common` has no single issuer: it publishes `{tenantid}`, which MSAL substitutes (msal-compat §1.4)."""
    document = _config(env, f"/common/{CONFIG_PATH}")
    assert document["issuer"] == f"{env.base_url}/{{tenantid}}/v2.0"
    assert document["token_endpoint"] == f"{env.base_url}/common/oauth2/v2.0/token"


@pytest.mark.parametrize("path", ["/{tid}//" + CONFIG_PATH, "/{tid}/" + CONFIG_PATH.replace("/", "//", 1)])
def test_doubled_slashes_are_folded(env: CompatEnv, path: str) -> None:
    """MSAL keeps an authority's trailing slash and asks for `/TENANT//v2.0/…`; that is the same document."""
    canonical = _config(env, f"/{env.tenant.id}/{CONFIG_PATH}")
    assert _config(env, path.format(tid=env.tenant.id)) == canonical


def test_jwks_keys_are_shaped_like_entra(env: CompatEnv) -> None:
    """Each key: RSA, use=sig, kid = x5t = SHA-1 of the x5c certificate, n/e equal to that certificate's key,
    and the `{tenantid}` issuer template (entra-reference §1.5)."""
    keys = env.jwks["keys"]
    assert keys
    for key in keys:
        assert (key["kty"], key["use"]) == ("RSA", "sig")
        der = base64.b64decode(key["x5c"][0])
        assert key["kid"] == key["x5t"] == b64url(hashlib.sha1(der, usedforsecurity=False).digest())
        public = x509.load_der_x509_certificate(der).public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        numbers = public.public_numbers()
        assert int.from_bytes(b64url_decode(key["n"]), "big") == numbers.n
        assert int.from_bytes(b64url_decode(key["e"]), "big") == numbers.e
        assert key["issuer"] == f"{env.base_url}/{{tenantid}}/v2.0"
    assert _config(env, f"/{env.DOMAIN}/discovery/keys") == env.jwks


@pytest.mark.parametrize("authority_form", ["guid-trailing-slash", "domain", "DOMAIN", "GUID"])
def test_msal_accepts_every_authority_form(env: CompatEnv, wire: list[SentRequest], authority_form: str) -> None:
    """MSAL gets a token through any authority naming the tenant; the token always names the tenant GUID."""
    segment = {
        "guid-trailing-slash": env.tenant.id + "/",
        "domain": env.DOMAIN,
        "DOMAIN": env.DOMAIN.upper(),
        "GUID": env.tenant.id.upper(),
    }[authority_form]
    app = env.msal_app(env.client.client_id, env.client.secret_text, authority=f"{env.base_url}/{segment}")
    token = env.token_of(app.acquire_token_for_client([env.v2.scope]))
    claims = verify_rs256(token, env.jwks).claims
    assert claims["tid"] == env.tenant.id
    assert claims["iss"] == f"{env.base_url}/{env.tenant.id}/v2.0"
    [request] = token_requests(wire)
    assert request.url == env.token_url
    if authority_form == "guid-trailing-slash":
        assert any(f"/{env.tenant.id}//v2.0/" in sent.url for sent in wire), [sent.url for sent in wire]
