"""On-behalf-of: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with
`requested_token_use=on_behalf_of` (RFC 7523 §2.1; msal-compat §2.7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from grants.helpers import (
    form_of,
    issued,
    now,
    store_code,
    verified,
    without_secret,
)
from grants.world import (
    MIDDLE_URI,
    OIDC,
    ORDERS_URI,
    STOCK_URI,
    GrantsWorld,
)
from protocol.conftest import TokenPoster, assert_entra_error, message_of
from tenantry.directory.models import User
from tenantry.tokens.claims import UserTokenRequest, user_access_token_claims

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DOWNSTREAM = f"{ORDERS_URI}/Orders.Read {OIDC}"


def user_token_for_middle(world: GrantsWorld, token: TokenPoster, user: User | None = None) -> str:
    """The access token a user's app (the web app) got for the middle-tier API, via a code redemption."""
    code = store_code(world, world.web, user or world.alice, scopes=f"{MIDDLE_URI}/access_as_user openid")
    form = form_of(world.web, "authorization_code", code=code, redirect_uri="https://app.grants.example/callback")
    form["code_verifier"] = "verifier-" + "x" * 40
    return str(issued(token(world.token_path(), form), world)["access_token"])


def exchange(token: TokenPoster, world: GrantsWorld, assertion: str, scope: str = DOWNSTREAM, **extra: str) -> Any:
    """The middle tier's OBO request, as MSAL's acquire_token_on_behalf_of sends it."""
    params = {"assertion": assertion, "requested_token_use": "on_behalf_of", "scope": scope, **extra}
    form = form_of(world.middle, GRANT, **params)
    return token(world.token_path(), form)


def test_obo_issues_a_downstream_token_for_the_same_user(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """The middle tier gets a v1 Orders token for alice, issued to itself (`appid` = middle, acr "1"),
    with the scope it was consented to, plus a refresh token."""
    incoming = user_token_for_middle(grants, token)
    assert verified(incoming, jwks)["aud"] == grants.middle.client_id
    body = issued(exchange(token, grants, incoming), grants)
    access = verified(body["access_token"], jwks)
    assert (access["aud"], access["appid"], access["appidacr"]) == (ORDERS_URI, grants.middle.client_id, "1")
    assert (access["oid"], access["scp"]) == (grants.alice.id, "Orders.Read")
    assert body["scope"] == DOWNSTREAM and body["refresh_token"]


def test_assertion_audience_may_be_an_app_id_uri(grants: GrantsWorld, token: TokenPoster) -> None:
    """A v1 token names the API by the App ID URI the client used; that is the calling app too."""
    assertion = mint(grants, audience=MIDDLE_URI, version=1)
    issued(exchange(token, grants, assertion), grants)


def mint(
    world: GrantsWorld,
    *,
    audience: str,
    version: int = 2,
    issued_at: int | None = None,
    user: User | None = None,
    scopes: tuple[str, ...] = ("access_as_user",),
) -> str:
    """Sign a delegated token with the server's own key, for cases no grant would produce (expired ones)."""
    request = UserTokenRequest(
        base_url="https://localhost:8443",
        tenant_id=world.tenant.id,
        version=version,
        audience=audience,
        client_app_id=world.web.client_id,
        client_acr="1",
        user=user or world.alice,
        subject="s" * 43,
        scopes=scopes,
        roles=(),
        issued_at=issued_at or int(now().timestamp()),
        lifetime=3600,
        session_id=None,
    )
    value = world.services.minter.sign(user_access_token_claims(request), version=version)
    world.sensitive.add(value)
    return value


def test_expired_assertion_is_500133(grants: GrantsWorld, token: TokenPoster) -> None:
    """An assertion past its `exp` (beyond the five-minute skew) is AADSTS500133."""
    stale = int((now() - timedelta(hours=2)).timestamp())
    body = assert_entra_error(
        exchange(token, grants, mint(grants, audience=grants.middle.client_id, issued_at=stale)),
        500133,
        400,
        "invalid_grant",
    )
    assert "expired" in message_of(body)


def test_assertion_for_another_audience_is_50013(grants: GrantsWorld, token: TokenPoster) -> None:
    """A token issued for another API cannot be exchanged by the middle tier."""
    assertion = mint(grants, audience=grants.stock.app_id)
    body = assert_entra_error(exchange(token, grants, assertion), 50013, 400, "invalid_grant")
    assert "audience" in message_of(body)


def test_app_only_assertion_is_50013(grants: GrantsWorld, token: TokenPoster) -> None:
    """An app-only (client credentials) token for the middle tier has no user to act for."""
    assert grants.web.secret is not None
    form = {
        "grant_type": "client_credentials",
        "client_id": grants.web.client_id,
        "client_secret": grants.web.secret,
        "scope": f"{MIDDLE_URI}/.default",
    }
    app_only = issued(token(grants.token_path(), form), grants)["access_token"]
    body = assert_entra_error(exchange(token, grants, app_only), 50013, 400, "invalid_grant")
    assert "app-only" in message_of(body)


@pytest.mark.parametrize("damage", ["signature", "not-a-jwt", "payload"])
def test_forged_assertion_is_50013(grants: GrantsWorld, token: TokenPoster, damage: str) -> None:
    """A tampered signature or payload, or something that is not a JWT, is AADSTS50013."""
    good = mint(grants, audience=grants.middle.client_id)
    head, payload, signature = good.split(".")
    bad = {
        "signature": f"{head}.{payload}.{signature[::-1]}",
        "not-a-jwt": "not.a.jwt",
        "payload": f"{head}.{payload[:-4]}AAAA.{signature}",
    }[damage]
    assert_entra_error(exchange(token, grants, bad), 50013, 400, "invalid_grant")


def test_downstream_without_consent_is_65001(grants: GrantsWorld, token: TokenPoster) -> None:
    """The middle tier was never granted Stock.Read: 65001 consent_required."""
    assertion = mint(grants, audience=grants.middle.client_id)
    response = exchange(token, grants, assertion, scope=f"{STOCK_URI}/Stock.Read")
    body = assert_entra_error(response, 65001, 400, "consent_required")
    assert body["suberror"] == "consent_required"


def test_obo_needs_a_confidential_client(grants: GrantsWorld, token: TokenPoster) -> None:
    """On-behalf-of is for confidential clients: no credential → 7000218."""
    assertion = mint(grants, audience=grants.middle.client_id)
    form = without_secret(
        form_of(grants.middle, GRANT, assertion=assertion, requested_token_use="on_behalf_of", scope=DOWNSTREAM)
    )
    assert_entra_error(token(grants.token_path(), form), 7000218, 401, "invalid_client")


def test_requested_token_use_must_be_on_behalf_of(grants: GrantsWorld, token: TokenPoster) -> None:
    """Any other `requested_token_use` is AADSTS90100 naming the parameter."""
    assertion = mint(grants, audience=grants.middle.client_id)
    response = exchange(token, grants, assertion, requested_token_use="impersonate")
    body = assert_entra_error(response, 90100, 400, "invalid_request")
    assert "'requested_token_use'" in message_of(body)


def test_disabled_user_is_50057(grants: GrantsWorld, token: TokenPoster) -> None:
    """The user the middle tier acts for must still be enabled."""
    user = grants.new_user("obo-disabled")
    assertion = mint(grants, audience=grants.middle.client_id, user=user)
    grants.update_user(user, account_enabled=False)
    assert_entra_error(exchange(token, grants, assertion), 50057, 400, "invalid_grant")
