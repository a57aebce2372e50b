"""`grant_type=authorization_code`: redemption rules and the tokens it mints (RFC 6749 §4.1.3, RFC 7636,
OIDC Core §3.1.3; entra-reference §1.6, §2; msal-compat §2.3).

Codes are stored directly, as /authorize would store them; every failure is checked field by field
against Entra's error format.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from grants.helpers import (
    client_info_of,
    find_refresh_token,
    form_of,
    header_of,
    issued,
    multi_tenant,
    now,
    store_code,
    verified,
    without_secret,
)
from grants.world import (
    NATIVE_REDIRECT,
    OIDC,
    ORDERS_URI,
    SPA_ORIGIN,
    SPA_REDIRECT,
    STOCK_URI,
    VERIFIER,
    GrantsWorld,
)
from protocol.conftest import Client, TokenPoster, assert_entra_error, message_of
from support.tokens import decode_unverified
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.common.ids import new_guid
from tenantry.protocol.grants.pkce import challenge_of
from tenantry.tokens.opaque import token_hash

GRANT = "authorization_code"


def redeem(
    token: TokenPoster,
    world: GrantsWorld,
    code: str,
    client: Client,
    *,
    redirect_uri: str | None = None,
    verifier: str | None = VERIFIER,
    origin: str | None = None,
    segment: str | None = None,
    **extra: str,
) -> Any:
    """POST the code as MSAL does: code, redirect_uri, code_verifier, client_info=1 (+ the secret)."""
    default_uri = {world.spa.client_id: SPA_REDIRECT, world.native.client_id: NATIVE_REDIRECT}
    form = form_of(client, GRANT, code=code, **extra)
    form["redirect_uri"] = redirect_uri or default_uri.get(client.client_id, "https://app.grants.example/callback")
    if verifier is not None:
        form["code_verifier"] = verifier
    headers = {"Origin": origin} if origin else None
    return token(world.token_path(segment), form, headers=headers)


# --------------------------------------------------------------------------------------------------
# Success and token claims
# --------------------------------------------------------------------------------------------------


def test_web_redemption_mints_entra_shaped_tokens(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """A confidential web app gets a v1 access token with `scp` and the user's `roles`, an id_token with the
    exact nonce, `sid`, `auth_time`, a refresh token, `client_info` and the requested scopes as `scope`."""
    nonce = "n-0S6_WzA2Mj"
    code = store_code(grants, grants.web, grants.alice, nonce=nonce)
    body = issued(redeem(token, grants, code, grants.web), grants)
    assert body["token_type"] == "Bearer"
    assert body["scope"] == f"{ORDERS_URI}/Orders.Read {OIDC}"
    assert 3600 <= body["expires_in"] == body["ext_expires_in"] <= 5400
    access = verified(body["access_token"], jwks)
    assert access["ver"] == "1.0" and access["aud"] == ORDERS_URI
    assert (access["appid"], access["appidacr"]) == (grants.web.client_id, "1")
    assert access["scp"] == "Orders.Read"
    assert access["roles"] == ["Orders.Approver"]
    assert access["oid"] == grants.alice.id and access["tid"] == grants.tenant.id
    id_token = verified(body["id_token"], jwks)
    assert id_token["aud"] == grants.web.client_id
    assert id_token["iss"] == f"https://localhost:8443/{grants.tenant.id}/v2.0"
    assert id_token["nonce"] == nonce
    assert isinstance(id_token["sid"], str) and id_token["sid"]
    assert isinstance(id_token["auth_time"], int)
    assert id_token["preferred_username"] == grants.alice.user_principal_name
    assert client_info_of(body) == {"uid": grants.alice.id, "utid": grants.tenant.id}
    assert body["refresh_token"].startswith("rt.")


def test_v2_resource_gets_v2_token(grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]) -> None:
    """The resource picks the version: the v2 API's token has `azp`, `aud` = its appId, no `x5t` header."""
    code = store_code(grants, grants.web, grants.alice, scopes=f"{STOCK_URI}/Stock.Read openid")
    body = issued(redeem(token, grants, code, grants.web), grants)
    access = verified(body["access_token"], jwks)
    assert (access["ver"], access["aud"], access["azp"], access["azpacr"]) == (
        "2.0",
        grants.stock.app_id,
        grants.web.client_id,
        "1",
    )
    assert access["scp"] == "Stock.Read"
    assert "x5t" not in header_of(body["access_token"])
    assert "refresh_token" not in body, "no offline_access, no refresh token"


def test_no_nonce_means_no_nonce_claim(grants: GrantsWorld, token: TokenPoster) -> None:
    """msal-node fails with nonce_mismatch on a nonce it did not send: none in, none out."""
    code = store_code(grants, grants.web, grants.alice)
    body = issued(redeem(token, grants, code, grants.web), grants)
    assert "nonce" not in decode_unverified(body["id_token"]).claims


def test_subject_is_pairwise_per_client(grants: GrantsWorld, token: TokenPoster) -> None:
    """The same user has a different `sub` in each app's id_token, and the same one on every sign-in."""
    subs = []
    for client in (grants.web, grants.native, grants.web):
        redirect = NATIVE_REDIRECT if client is grants.native else "https://app.grants.example/callback"
        code = store_code(grants, client, grants.alice, redirect_uri=redirect)
        subs.append(decode_unverified(issued(redeem(token, grants, code, client), grants)["id_token"]).claims["sub"])
    assert subs[0] != subs[1] and subs[0] == subs[2]
    assert len(subs[0]) == 43


def test_graph_scopes_default_to_graph(grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]) -> None:
    """Bare `User.Read` means Microsoft Graph (v1 token, aud https://graph.microsoft.com)."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT, scopes=f"User.Read {OIDC}")
    body = issued(redeem(token, grants, code, grants.native), grants)
    access = verified(body["access_token"], jwks)
    assert access["aud"] in ("https://graph.microsoft.com", GRAPH_APP_ID)
    assert (access["scp"], access["appidacr"]) == ("User.Read", "0")
    assert body["scope"] == f"User.Read {OIDC}"


def test_spa_redemption_is_cross_origin_and_public(grants: GrantsWorld, token: TokenPoster) -> None:
    """A SPA code redeems with `Origin` and no secret; the answer allows the origin to read it and the
    refresh token announces its fixed 24-hour lifetime."""
    code = store_code(grants, grants.spa, grants.alice, redirect_uri=SPA_REDIRECT, spa=True)
    response = redeem(token, grants, code, grants.spa, origin=SPA_ORIGIN)
    body = issued(response, grants)
    assert response.headers["access-control-allow-origin"] == "*"
    assert 86_000 < body["refresh_token_expires_in"] <= 86_400
    assert decode_unverified(body["access_token"]).claims["appidacr"] == "0"


def test_plain_pkce_is_accepted(grants: GrantsWorld, token: TokenPoster) -> None:
    """`code_challenge_method=plain`: the verifier equals the challenge (RFC 7636 §4.2)."""
    code = store_code(
        grants,
        grants.native,
        grants.alice,
        redirect_uri=NATIVE_REDIRECT,
        code_challenge=VERIFIER,
        code_challenge_method="plain",
    )
    issued(redeem(token, grants, code, grants.native), grants)


def test_code_without_pkce_redeems_without_verifier(grants: GrantsWorld, token: TokenPoster) -> None:
    """A confidential web app that did not use PKCE redeems with its secret alone."""
    code = store_code(grants, grants.web, grants.alice, code_challenge=None, code_challenge_method=None)
    issued(redeem(token, grants, code, grants.web, verifier=None), grants)


def test_organizations_endpoint_redeems_the_codes_tenant(grants: GrantsWorld, token: TokenPoster) -> None:
    """On /organizations the code's own tenant is used (the single-tenant check aside: a multi-org app)."""
    client = multi_tenant(grants, grants.native)
    try:
        code = store_code(grants, client, grants.alice, redirect_uri=NATIVE_REDIRECT)
        body = issued(redeem(token, grants, code, client, segment="organizations"), grants)
        assert decode_unverified(body["access_token"]).claims["tid"] == grants.tenant.id
    finally:
        grants.update_app(client.app, sign_in_audience=grants.web.app.sign_in_audience)


# --------------------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------------------


def test_replay_is_54005_and_revokes_the_family(grants: GrantsWorld, token: TokenPoster) -> None:
    """A second redemption is AADSTS54005, and the refresh token the first one produced stops working
    (50173): RFC 6749 §4.1.2's revocation of everything the code produced."""
    code = store_code(grants, grants.web, grants.alice)
    first = issued(redeem(token, grants, code, grants.web), grants)
    assert_entra_error(redeem(token, grants, code, grants.web), 54005, 400, "invalid_grant")
    assert find_refresh_token(grants, first["refresh_token"]).revoked_at is not None
    refresh = form_of(grants.web, "refresh_token", refresh_token=first["refresh_token"])
    assert_entra_error(token(grants.token_path(), refresh), 50173, 400, "invalid_grant")


def test_expired_code_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """Codes live ten minutes: an expired one is AADSTS70000 saying so."""
    issued_at = now() - timedelta(minutes=11)
    code = store_code(grants, grants.web, grants.alice, created_at=issued_at)
    body = assert_entra_error(redeem(token, grants, code, grants.web), 70000, 400, "invalid_grant")
    assert "expired" in message_of(body)


@pytest.mark.parametrize("value", ["ac.unknown", "garbage", "ac." + "A" * 43])
def test_unknown_code_is_70000(grants: GrantsWorld, token: TokenPoster, value: str) -> None:
    """An unknown or garbled code is AADSTS70000."""
    assert_entra_error(redeem(token, grants, value, grants.web), 70000, 400, "invalid_grant")


def test_code_of_another_client_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """A code is bound to the client it was issued to."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    body = assert_entra_error(redeem(token, grants, code, grants.web), 70000, 400, "invalid_grant")
    assert "another client" in message_of(body)


def test_code_of_another_tenant_is_700005(grants: GrantsWorld, token: TokenPoster) -> None:
    """A code issued in Grants cannot be redeemed at Fabrikam's endpoint, even by an app present in both."""
    grants.provision(grants.web, grants.other_tenant)
    code = store_code(grants, grants.web, grants.alice)
    response = redeem(token, grants, code, grants.web, segment=grants.other_tenant.id)
    assert_entra_error(response, 700005, 400, "invalid_grant")


def test_redirect_uri_mismatch_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """`redirect_uri` must equal the one the code was issued for, byte for byte (trailing slash included)."""
    code = store_code(grants, grants.web, grants.alice)
    response = redeem(token, grants, code, grants.web, redirect_uri="https://app.grants.example/callback/")
    body = assert_entra_error(response, 70000, 400, "invalid_grant")
    assert "redirect_uri" in message_of(body)


def test_missing_redirect_uri_is_900144(grants: GrantsWorld, token: TokenPoster) -> None:
    """The redirect URI is a required parameter of the redemption (RFC 6749 §4.1.3)."""
    code = store_code(grants, grants.web, grants.alice)
    form = form_of(grants.web, GRANT, code=code, code_verifier=VERIFIER)
    body = assert_entra_error(token(grants.token_path(), form), 900144, 400, "invalid_request")
    assert "'redirect_uri'" in message_of(body)


def test_web_code_needs_the_secret(grants: GrantsWorld, token: TokenPoster) -> None:
    """A `web` redirect URI makes the redemption confidential: no credential → AADSTS7000218 (401)."""
    code = store_code(grants, grants.web, grants.alice)
    form = without_secret(
        form_of(
            grants.web,
            GRANT,
            code=code,
            redirect_uri="https://app.grants.example/callback",
            code_verifier=VERIFIER,
        )
    )
    assert_entra_error(token(grants.token_path(), form), 7000218, 401, "invalid_client")


def test_wrong_secret_is_7000215(grants: GrantsWorld, token: TokenPoster) -> None:
    """A confidential redemption checks the secret like client credentials do."""
    code = store_code(grants, grants.web, grants.alice)
    response = redeem(token, grants, code, grants.web, client_secret="not-the-secret")
    assert_entra_error(response, 7000215, 401, "invalid_client")


def test_spa_code_with_a_secret_is_700025(grants: GrantsWorld, token: TokenPoster) -> None:
    """SPA redemptions are public: sending a credential is AADSTS700025."""
    code = store_code(grants, grants.spa, grants.alice, redirect_uri=SPA_REDIRECT, spa=True)
    response = redeem(token, grants, code, grants.spa, origin=SPA_ORIGIN, client_secret="anything")
    assert_entra_error(response, 700025, 401, "invalid_client")


def test_spa_code_without_origin_is_refused(grants: GrantsWorld, token: TokenPoster) -> None:
    """A SPA code redeemed by a server (no `Origin`) is refused (Entra 9002327; our catalogue's 90023)."""
    code = store_code(grants, grants.spa, grants.alice, redirect_uri=SPA_REDIRECT, spa=True)
    body = assert_entra_error(redeem(token, grants, code, grants.spa), 90023, 400, "invalid_request")
    assert "cross-origin" in message_of(body)


def test_pkce_mismatch_is_501481(grants: GrantsWorld, token: TokenPoster) -> None:
    """A verifier that does not hash to the S256 challenge is AADSTS501481."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    response = redeem(token, grants, code, grants.native, verifier="another-verifier-" + "y" * 40)
    assert_entra_error(response, 501481, 400, "invalid_grant")


def test_missing_verifier_is_501481(grants: GrantsWorld, token: TokenPoster) -> None:
    """A code issued with a challenge cannot be redeemed without the verifier (Entra: the mismatch code)."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    body = assert_entra_error(redeem(token, grants, code, grants.native, verifier=None), 501481, 400, "invalid_grant")
    assert "no code_verifier" in message_of(body)


# A failed redemption burns the code (RFC 9700 §4.5): whoever holds a stolen code gets one guess.
BURNING_ATTEMPTS = {
    "wrong verifier": {"verifier": "another-verifier-" + "y" * 40},
    "badly sized verifier": {"verifier": "short"},
    "no verifier": {"verifier": None},
    "wrong redirect_uri": {"redirect_uri": "http://localhost:9999/elsewhere"},
}


@pytest.mark.parametrize("attempt", BURNING_ATTEMPTS, ids=list(BURNING_ATTEMPTS))
def test_failed_redemption_burns_the_code(grants: GrantsWorld, token: TokenPoster, attempt: str) -> None:
    """After a wrong verifier or redirect URI, the correct redemption gets 54005, as a replay does."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    failed = redeem(token, grants, code, grants.native, **BURNING_ATTEMPTS[attempt])
    assert failed.status_code == 400
    assert_entra_error(redeem(token, grants, code, grants.native), 54005, 400, "invalid_grant")


def test_redemption_by_another_client_burns_the_code(grants: GrantsWorld, token: TokenPoster) -> None:
    """A code presented by a client it was not issued to is dead for its own client too."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    assert_entra_error(redeem(token, grants, code, grants.web), 70000, 400, "invalid_grant")
    assert_entra_error(redeem(token, grants, code, grants.native), 54005, 400, "invalid_grant")


def test_wrong_secret_leaves_the_code_usable(grants: GrantsWorld, token: TokenPoster) -> None:
    """A failed client authentication says nothing about the code: the app's own retry still succeeds."""
    code = store_code(grants, grants.web, grants.alice)
    assert_entra_error(redeem(token, grants, code, grants.web, client_secret="nope"), 7000215, 401, "invalid_client")
    issued(redeem(token, grants, code, grants.web), grants)


@pytest.mark.parametrize("verifier", ["short", "x" * 129, "has spaces " + "x" * 40])
def test_badly_sized_verifier_is_501491(grants: GrantsWorld, token: TokenPoster, verifier: str) -> None:
    """A verifier outside 43–128 unreserved characters (RFC 7636 §4.1) is AADSTS501491."""
    code = store_code(grants, grants.native, grants.alice, redirect_uri=NATIVE_REDIRECT)
    response = redeem(token, grants, code, grants.native, verifier=verifier)
    assert_entra_error(response, 501491, 400, "invalid_request")


def test_verifier_for_code_without_challenge_is_refused(grants: GrantsWorld, token: TokenPoster) -> None:
    """RFC 9700 §2.1.1: a verifier sent for a code issued without PKCE is refused (downgrade protection)."""
    code = store_code(grants, grants.web, grants.alice, code_challenge=None, code_challenge_method=None)
    assert_entra_error(redeem(token, grants, code, grants.web), 501481, 400, "invalid_grant")


def test_disabled_user_is_50057(grants: GrantsWorld, token: TokenPoster) -> None:
    """A user disabled after signing in gets no tokens for the code."""
    user = grants.new_user("disabled")
    code = store_code(grants, grants.web, user)
    grants.update_user(user, account_enabled=False)
    assert_entra_error(redeem(token, grants, code, grants.web), 50057, 400, "invalid_grant")


def test_sessions_revoked_after_sign_in_is_50173(grants: GrantsWorld, token: TokenPoster) -> None:
    """An admin's "revoke sessions" after the sign-in voids the code's tokens."""
    user = grants.new_user("revoked")
    code = store_code(grants, grants.web, user, auth_time=now() - timedelta(minutes=1))
    grants.update_user(user, sign_in_sessions_valid_from=now())
    assert_entra_error(redeem(token, grants, code, grants.web), 50173, 400, "invalid_grant")


def test_missing_consent_is_65001(grants: GrantsWorld, token: TokenPoster) -> None:
    """Without consent for the code's scopes the token endpoint answers 65001 consent_required."""
    code = store_code(
        grants,
        grants.unconsented,
        grants.alice,
        redirect_uri=NATIVE_REDIRECT,
        code_challenge=challenge_of(VERIFIER, "S256"),
    )
    response = token(
        grants.token_path(),
        form_of(grants.unconsented, GRANT, code=code, redirect_uri=NATIVE_REDIRECT, code_verifier=VERIFIER),
    )
    body = assert_entra_error(response, 65001, 400, "consent_required")
    assert body["suberror"] == "consent_required"


def test_code_family_continues_into_refresh_tokens(grants: GrantsWorld, token: TokenPoster) -> None:
    """The refresh token of a redemption belongs to the code's family (so a replay can revoke it)."""
    family = new_guid()
    code = store_code(grants, grants.web, grants.alice, family_id=family)
    body = issued(redeem(token, grants, code, grants.web), grants)
    assert find_refresh_token(grants, body["refresh_token"]).family_id == family
    assert token_hash(body["refresh_token"]) != token_hash(code)
