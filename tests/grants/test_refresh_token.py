"""`grant_type=refresh_token`: rotation, lifetimes, revocation and resource switching (RFC 6749 §6;
entra-reference §2.5; msal-compat §2.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from grants.helpers import (
    find_refresh_token,
    form_of,
    issued,
    now,
    store_refresh_token,
    verified,
    without_secret,
)
from grants.world import (
    OIDC,
    ORDERS_URI,
    SPA_ORIGIN,
    STOCK_URI,
    GrantsWorld,
)
from protocol.conftest import Client, TokenPoster, assert_entra_error, message_of
from support.tokens import decode_unverified

GRANT = "refresh_token"


def refresh(
    token: TokenPoster,
    world: GrantsWorld,
    value: str,
    client: Client,
    *,
    scope: str | None = None,
    origin: str | None = None,
    **extra: str,
) -> Any:
    """POST a refresh as MSAL's silent flow does (scope decorated, client_info=1, the secret if any)."""
    form = form_of(client, GRANT, refresh_token=value, **extra)
    if scope is not None:
        form["scope"] = scope
    return token(world.token_path(), form, headers={"Origin": origin} if origin else None)


def test_every_use_rotates_within_the_family(grants: GrantsWorld, token: TokenPoster) -> None:
    """Each refresh returns a new refresh token of the same family, and the used one keeps working."""
    first = store_refresh_token(grants, grants.web, grants.alice)
    body = issued(refresh(token, grants, first, grants.web, scope=f"{ORDERS_URI}/Orders.Read {OIDC}"), grants)
    second = body["refresh_token"]
    assert second != first
    assert find_refresh_token(grants, second).family_id == find_refresh_token(grants, first).family_id
    issued(refresh(token, grants, first, grants.web), grants)
    issued(refresh(token, grants, second, grants.web), grants)


def test_refresh_mints_tokens_like_sign_in(grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]) -> None:
    """The new access token keeps `scp`, roles and `sid`; the id_token has no `auth_time` (not asked for)
    and `scope` echoes what was asked; `client_info` is back."""
    value = store_refresh_token(grants, grants.web, grants.alice, session_id="4b6f1c8e-1f7c-4a47-8d0e-5d6b4a0c9e11")
    body = issued(refresh(token, grants, value, grants.web, scope=f"{ORDERS_URI}/Orders.Read {OIDC}"), grants)
    access = verified(body["access_token"], jwks)
    assert (access["scp"], access["roles"], access["sid"]) == (
        "Orders.Read",
        ["Orders.Approver"],
        "4b6f1c8e-1f7c-4a47-8d0e-5d6b4a0c9e11",
    )
    id_claims = verified(body["id_token"], jwks)
    assert "auth_time" not in id_claims and "nonce" not in id_claims
    assert body["scope"] == f"{ORDERS_URI}/Orders.Read {OIDC}"
    assert "client_info" in body


def test_scope_may_switch_to_another_consented_resource(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """MSAL's silent call for a new scope refreshes with that scope: a v2 token for the stock API."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    body = issued(refresh(token, grants, value, grants.web, scope=f"{STOCK_URI}/Stock.Read {OIDC}"), grants)
    access = verified(body["access_token"], jwks)
    assert (access["aud"], access["scp"], access["ver"]) == (grants.stock.app_id, "Stock.Read", "2.0")
    assert body["refresh_token"]


def test_scope_without_offline_access_still_rotates(grants: GrantsWorld, token: TokenPoster) -> None:
    """A refresh always returns the next refresh token; `scope` stays literally what was asked."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    body = issued(refresh(token, grants, value, grants.web, scope=f"{ORDERS_URI}/Orders.Read"), grants)
    assert body["scope"] == f"{ORDERS_URI}/Orders.Read"
    assert body["refresh_token"]


def test_unconsented_resource_is_65001(grants: GrantsWorld, token: TokenPoster) -> None:
    """Switching to a scope nobody consented to needs an interactive sign-in (65001, suberror consent_required)."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    response = refresh(token, grants, value, grants.web, scope=f"{ORDERS_URI}/Orders.Admin")
    assert_entra_error(response, 90094, 400, "consent_required")
    value = store_refresh_token(grants, grants.unconsented, grants.alice)
    response = refresh(token, grants, value, grants.unconsented, scope=f"{STOCK_URI}/Stock.Read")
    body = assert_entra_error(response, 65001, 400, "consent_required")
    assert body["suberror"] == "consent_required"


def test_inactive_for_90_days_is_700082(grants: GrantsWorld, token: TokenPoster) -> None:
    """A token unused for 90 days expired: AADSTS700082 with the issue date and the inactivity."""
    created = now() - timedelta(days=91)
    value = store_refresh_token(grants, grants.web, grants.alice, created_at=created)
    body = assert_entra_error(refresh(token, grants, value, grants.web), 700082, 400, "invalid_grant")
    assert f"issued on {created:%Y-%m-%dT%H:%M:%S}." in message_of(body)
    assert "inactive for 91.00:00:" in message_of(body)


def test_spa_token_has_fixed_lifetime_700084(grants: GrantsWorld, token: TokenPoster) -> None:
    """SPA refresh tokens die 24 hours after sign-in, however recently used: AADSTS700084."""
    created = now() - timedelta(hours=2)
    value = store_refresh_token(
        grants, grants.spa, grants.alice, created_at=created, expires_at=now() - timedelta(seconds=1), spa=True
    )
    body = assert_entra_error(
        refresh(token, grants, value, grants.spa, origin=SPA_ORIGIN), 700084, 400, "invalid_grant"
    )
    assert "1.00:00:00" in message_of(body)


def test_spa_rotation_keeps_the_deadline(grants: GrantsWorld, token: TokenPoster) -> None:
    """A rotated SPA token inherits the original expiry (no sliding), and the answer says how long is left."""
    deadline = now() + timedelta(hours=3)
    value = store_refresh_token(grants, grants.spa, grants.alice, expires_at=deadline, spa=True)
    response = refresh(token, grants, value, grants.spa, origin=SPA_ORIGIN)
    body = issued(response, grants)
    assert response.headers["access-control-allow-origin"] == "*"
    assert abs(find_refresh_token(grants, body["refresh_token"]).expires_at - deadline) < timedelta(seconds=1)
    assert 3 * 3600 - 60 < body["refresh_token_expires_in"] <= 3 * 3600


def test_spa_token_without_origin_is_refused(grants: GrantsWorld, token: TokenPoster) -> None:
    """SPA refresh tokens, like SPA codes, are redeemed cross-origin only."""
    value = store_refresh_token(grants, grants.spa, grants.alice, spa=True, expires_at=now() + timedelta(hours=1))
    assert_entra_error(refresh(token, grants, value, grants.spa), 90023, 400, "invalid_request")


def test_revoked_family_is_50173(grants: GrantsWorld, token: TokenPoster) -> None:
    """Revoking a family (sign-out, code replay) ends every token in it."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    rotated = issued(refresh(token, grants, value, grants.web), grants)["refresh_token"]
    with grants.services.store.transaction(write=True) as unit:
        unit.revoke_refresh_family(find_refresh_token(grants, value).family_id, now())
    for used in (value, rotated):
        assert_entra_error(refresh(token, grants, used, grants.web), 50173, 400, "invalid_grant")


@pytest.mark.parametrize("field", ["sign_in_sessions_valid_from", "password_changed_at"])
def test_revoked_sessions_or_new_password_is_50173(grants: GrantsWorld, token: TokenPoster, field: str) -> None:
    """An admin's "revoke sessions", or a password change, after the sign-in voids the refresh token."""
    user = grants.new_user("revocable")
    value = store_refresh_token(grants, grants.web, user, created_at=now() - timedelta(hours=1))
    grants.update_user(user, **{field: now()})
    body = assert_entra_error(refresh(token, grants, value, grants.web), 50173, 400, "invalid_grant")
    assert "after this sign-in" in message_of(body)


def test_disabled_user_is_50057(grants: GrantsWorld, token: TokenPoster) -> None:
    """A disabled account cannot refresh."""
    user = grants.new_user("blocked")
    value = store_refresh_token(grants, grants.web, user)
    grants.update_user(user, account_enabled=False)
    assert_entra_error(refresh(token, grants, value, grants.web), 50057, 400, "invalid_grant")


def test_token_of_another_client_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """A refresh token is bound to its client."""
    value = store_refresh_token(grants, grants.native, grants.alice)
    body = assert_entra_error(refresh(token, grants, value, grants.web), 70000, 400, "invalid_grant")
    assert "another client" in message_of(body)


@pytest.mark.parametrize("value", ["rt.unknown", "not-a-token", "rt." + "B" * 43])
def test_unknown_token_is_70000(grants: GrantsWorld, token: TokenPoster, value: str) -> None:
    """Unknown or garbled refresh tokens are AADSTS70000 (not 9002313, which is for malformed requests)."""
    assert_entra_error(refresh(token, grants, value, grants.web), 70000, 400, "invalid_grant")


def test_confidential_refresh_needs_the_secret(grants: GrantsWorld, token: TokenPoster) -> None:
    """A web app's refresh token is confidential: no secret → 7000218."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    form = without_secret(form_of(grants.web, GRANT, refresh_token=value))
    assert_entra_error(token(grants.token_path(), form), 7000218, 401, "invalid_client")


def test_public_client_refreshes_without_credential(grants: GrantsWorld, token: TokenPoster) -> None:
    """A desktop app (public client flows on) refreshes with no credential; `appidacr` is "0"."""
    value = store_refresh_token(grants, grants.native, grants.alice)
    body = issued(refresh(token, grants, value, grants.native), grants)
    assert decode_unverified(body["access_token"]).claims["appidacr"] == "0"


def test_refresh_at_another_tenant_is_700016(grants: GrantsWorld, token: TokenPoster) -> None:
    """At Fabrikam's endpoint a Grants-only app does not exist (700016), whatever token it brings.
    (`unconsented` is never provisioned in Fabrikam; other tests give some clients a service principal there.)"""
    value = store_refresh_token(grants, grants.unconsented, grants.alice)
    form = form_of(grants.unconsented, GRANT, refresh_token=value)
    response = token(grants.token_path(grants.other_tenant.id), form)
    assert_entra_error(response, 700016, 400, "unauthorized_client")


def test_token_of_another_tenant_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """An app present in both tenants still cannot use a Grants refresh token at Fabrikam's endpoint."""
    value = store_refresh_token(grants, grants.web, grants.alice)
    grants.provision(grants.web, grants.other_tenant)
    response = token(grants.token_path(grants.other_tenant.id), form_of(grants.web, GRANT, refresh_token=value))
    body = assert_entra_error(response, 70000, 400, "invalid_grant")
    assert "another tenant" in message_of(body)
