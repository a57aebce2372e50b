"""`/oidc/userinfo` (OIDC Core §5.3, RFC 6750 §3), `/common/userrealm/{upn}` (msal-compat §1.3) and CORS
on the token endpoint for single-page apps (Fetch standard §3.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grants.helpers import (
    form_of,
    issued,
    now,
    store_code,
)
from grants.world import (
    OIDC,
    ORDERS_URI,
    SPA_ORIGIN,
    GrantsWorld,
)
from protocol.conftest import TokenPoster, assert_entra_error
from support.tokens import decode_unverified
from tenantry.apps.first_party import SYSTEM_TENANT_DOMAIN
from tenantry.tokens.claims import UserTokenRequest, user_access_token_claims

REDIRECT = "https://app.grants.example/callback"


def sign_in(world: GrantsWorld, token: TokenPoster, scopes: str) -> dict[str, str]:
    """Tokens of a web-app sign-in of alice with `scopes` (a code redeemed at the token endpoint)."""
    code = store_code(world, world.web, world.alice, scopes=scopes)
    form = form_of(
        world.web, "authorization_code", code=code, redirect_uri=REDIRECT, code_verifier="verifier-" + "x" * 40
    )
    return issued(token(world.token_path(), form), world)


# --------------------------------------------------------------------------------------------------
# userinfo
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_userinfo_describes_the_user(grants: GrantsWorld, token: TokenPoster, method: str) -> None:
    """A Graph token gets `sub` (equal to the app's id_token `sub`), name, preferred_username and email."""
    body = sign_in(grants, token, f"User.Read {OIDC} email")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    response = token.client.request(method, "/oidc/userinfo", headers=headers)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["cache-control"]
    claims = response.json()
    assert claims["sub"] == decode_unverified(body["id_token"]).claims["sub"]
    assert (claims["name"], claims["preferred_username"], claims["email"]) == (
        "Alice",
        grants.alice.user_principal_name,
        "alice@mail.grants.example",
    )


def test_userinfo_without_token_is_a_bare_challenge(grants: GrantsWorld, token: TokenPoster) -> None:
    """No token: 401 with `WWW-Authenticate: Bearer` and no error code (RFC 6750 §3.1)."""
    response = token.client.get("/oidc/userinfo")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _expired_graph_token(world: GrantsWorld) -> str:
    request = UserTokenRequest(
        base_url="https://localhost:8443",
        tenant_id=world.tenant.id,
        version=1,
        audience="https://graph.microsoft.com",
        client_app_id=world.web.client_id,
        client_acr="1",
        user=world.alice,
        subject="s" * 43,
        scopes=("User.Read",),
        roles=(),
        issued_at=int((now() - timedelta(hours=3)).timestamp()),
        lifetime=3600,
        session_id=None,
    )
    value = world.services.minter.sign(user_access_token_claims(request), version=1)
    world.sensitive.add(value)
    return value


@pytest.mark.parametrize("case", ["garbage", "orders-token", "expired", "tampered"])
def test_userinfo_rejects_unusable_tokens(grants: GrantsWorld, token: TokenPoster, case: str) -> None:
    """Not a JWT, a token for another API, an expired or a tampered token: 401 `error="invalid_token"`."""
    if case == "orders-token":
        value = sign_in(grants, token, f"{ORDERS_URI}/Orders.Read openid")["access_token"]
    elif case == "expired":
        value = _expired_graph_token(grants)
    elif case == "tampered":
        good = sign_in(grants, token, "User.Read openid")["access_token"]
        value = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    else:
        value = "not-a-token"
    response = token.client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="')
    assert response.json()["error"] == "invalid_token"


def test_userinfo_for_a_disabled_user_is_refused(grants: GrantsWorld, token: TokenPoster) -> None:
    """A token outliving its user's account is no longer good for userinfo."""
    user = grants.new_user("userinfo-disabled")
    code = store_code(grants, grants.web, user, scopes="User.Read openid")
    form = form_of(
        grants.web, "authorization_code", code=code, redirect_uri=REDIRECT, code_verifier="verifier-" + "x" * 40
    )
    access = issued(token(grants.token_path(), form), grants)["access_token"]
    grants.update_user(user, account_enabled=False)
    response = token.client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401


def test_userinfo_allows_browsers(grants: GrantsWorld, token: TokenPoster) -> None:
    """A preflight for userinfo is answered, and the answer carries `Access-Control-Allow-Origin`."""
    preflight = token.client.options(
        "/oidc/userinfo",
        headers={
            "Origin": SPA_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-headers"] == "authorization"
    response = token.client.get("/oidc/userinfo", headers={"Origin": SPA_ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"


# --------------------------------------------------------------------------------------------------
# userrealm
# --------------------------------------------------------------------------------------------------


def test_userrealm_of_a_known_domain_is_managed(grants: GrantsWorld, token: TokenPoster) -> None:
    """A verified domain answers `Managed`, so MSAL goes on with plain ROPC."""
    response = token.client.get(f"/common/userrealm/{grants.alice.user_principal_name}?api-version=1.0")
    assert response.status_code == 200
    assert response.json() == {
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": "grants.example",
        "cloud_instance_name": "localhost",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    }


@pytest.mark.parametrize("upn", ["someone@unknown.example", "no-at-sign", f"x@{SYSTEM_TENANT_DOMAIN}"])
def test_userrealm_of_an_unknown_domain_is_404(token: TokenPoster, upn: str) -> None:
    """Unknown domains (and the hidden first-party tenant's) are a JSON 404, which MSAL also accepts."""
    response = token.client.get(f"/common/userrealm/{upn}?api-version=1.0")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json()["error"] == "not_found"


# --------------------------------------------------------------------------------------------------
# CORS on the token endpoint
# --------------------------------------------------------------------------------------------------


def test_token_preflight_is_answered(grants: GrantsWorld, token: TokenPoster) -> None:
    """A browser's preflight for the token endpoint: 204 allowing POST and the headers MSAL.js sends."""
    response = token.client.options(
        grants.token_path(),
        headers={
            "Origin": SPA_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, client-request-id",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "POST, OPTIONS"
    assert response.headers["access-control-allow-headers"] == "content-type, client-request-id"
    assert response.headers["access-control-max-age"] == "86400"


def test_options_without_preflight_headers_is_still_405(grants: GrantsWorld, token: TokenPoster) -> None:
    """An OPTIONS that is not a CORS preflight remains a wrong method (900561, `Allow: POST`)."""
    response = token.client.options(grants.token_path(), headers={"Origin": SPA_ORIGIN})
    assert_entra_error(response, 900561, 405, "invalid_request")
    assert response.headers["allow"] == "POST"


def test_cross_origin_errors_are_readable(grants: GrantsWorld, token: TokenPoster) -> None:
    """Error answers to a browser carry `Access-Control-Allow-Origin` too, so MSAL.js can read them;
    requests without `Origin` get no CORS header."""
    form = form_of(grants.spa, "refresh_token", refresh_token="rt.unknown")
    with_origin = token(grants.token_path(), form, headers={"Origin": SPA_ORIGIN})
    assert_entra_error(with_origin, 70000, 400, "invalid_grant")
    assert with_origin.headers["access-control-allow-origin"] == "*"
    without = token(grants.token_path(), form)
    assert "access-control-allow-origin" not in without.headers
