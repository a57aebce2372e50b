"""`grant_type=password` (ROPC, RFC 6749 §4.3): endpoints, client types, password outcomes, consent and
assignment (entra-reference §1.3, §3.7; msal-compat §2.6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from grants.helpers import (
    client_info_of,
    form_of,
    issued,
    multi_tenant,
    now,
    verified,
    without_secret,
)
from grants.world import (
    OIDC,
    ORDERS_URI,
    PASSWORD,
    GrantsWorld,
)
from protocol.conftest import Client, TokenPoster, assert_entra_error, message_of
from support.tokens import decode_unverified

GRANT = "password"
SCOPE = f"{ORDERS_URI}/Orders.Read {OIDC}"


def sign_in(
    token: TokenPoster,
    world: GrantsWorld,
    client: Client,
    username: str,
    password: str = PASSWORD,
    *,
    segment: str | None = None,
    scope: str = SCOPE,
    **extra: str,
) -> Any:
    """POST username and password as MSAL does (plus the secret for a confidential client)."""
    form = form_of(client, GRANT, username=username, password=password, scope=scope, **extra)
    return token(world.token_path(segment), form)


def test_public_client_signs_in(grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]) -> None:
    """A desktop app with public client flows gets user tokens; id_token without `auth_time` (not asked)
    or `sid` (no browser session); `scope` echoes the request; `client_info` names the user."""
    body = issued(sign_in(token, grants, grants.native, grants.alice.user_principal_name), grants)
    assert body["scope"] == SCOPE
    access = verified(body["access_token"], jwks)
    assert (access["appid"], access["appidacr"], access["scp"]) == (grants.native.client_id, "0", "Orders.Read")
    assert access["amr"] == ["pwd"] and "sid" not in access
    id_claims = verified(body["id_token"], jwks)
    assert "auth_time" not in id_claims and "sid" not in id_claims
    assert id_claims["oid"] == grants.alice.id
    assert client_info_of(body)["uid"] == grants.alice.id
    assert body["refresh_token"]


def test_confidential_client_signs_in_with_its_secret(grants: GrantsWorld, token: TokenPoster) -> None:
    """A confidential client may use ROPC with its credential (`appidacr` "1")."""
    body = issued(sign_in(token, grants, grants.web, grants.alice.user_principal_name), grants)
    assert decode_unverified(body["access_token"]).claims["appidacr"] == "1"


def test_upn_is_case_insensitive_and_domain_endpoint_works(grants: GrantsWorld, token: TokenPoster) -> None:
    """The tenant may be named by its domain, and the UPN in any case."""
    response = sign_in(token, grants, grants.native, grants.alice.user_principal_name.upper(), segment="GRANTS.example")
    issued(response, grants)


def test_organizations_finds_the_home_tenant(grants: GrantsWorld, token: TokenPoster) -> None:
    """On /organizations the UPN's domain names the tenant (a multi-organization app)."""
    client = multi_tenant(grants, grants.native)
    try:
        body = issued(sign_in(token, grants, client, grants.alice.user_principal_name, segment="organizations"), grants)
        assert decode_unverified(body["access_token"]).claims["tid"] == grants.tenant.id
    finally:
        grants.update_app(client.app, sign_in_audience=grants.web.app.sign_in_audience)


@pytest.mark.parametrize("segment", ["common", "consumers", "Common"])
def test_common_and_consumers_are_9001023(grants: GrantsWorld, token: TokenPoster, segment: str) -> None:
    """ROPC needs a real tenant: /common and /consumers are AADSTS9001023."""
    response = sign_in(token, grants, grants.native, grants.alice.user_principal_name, segment=segment)
    assert_entra_error(response, 9001023, 400, "invalid_request")


def test_single_tenant_app_on_organizations_is_50194(grants: GrantsWorld, token: TokenPoster) -> None:
    """A single-tenant app cannot use /organizations."""
    response = sign_in(token, grants, grants.native, grants.alice.user_principal_name, segment="organizations")
    assert_entra_error(response, 50194, 400, "invalid_request")


def test_unknown_user_is_50034(grants: GrantsWorld, token: TokenPoster) -> None:
    """A UPN nobody has is AADSTS50034 naming it."""
    body = assert_entra_error(
        sign_in(token, grants, grants.native, "nobody@grants.example"), 50034, 400, "invalid_grant"
    )
    assert "nobody@grants.example" in message_of(body)


def test_wrong_password_is_50126(grants: GrantsWorld, token: TokenPoster) -> None:
    """A wrong password is AADSTS50126."""
    response = sign_in(token, grants, grants.native, grants.alice.user_principal_name, "Wrong-Password-1")
    assert_entra_error(response, 50126, 400, "invalid_grant")


def test_disabled_user_is_50057(grants: GrantsWorld, token: TokenPoster) -> None:
    """A disabled account with the right password is AADSTS50057."""
    user = grants.new_user("ropc-disabled")
    grants.update_user(user, account_enabled=False)
    assert_entra_error(sign_in(token, grants, grants.native, user.user_principal_name), 50057, 400, "invalid_grant")


def test_expired_password_is_50055(grants: GrantsWorld, token: TokenPoster) -> None:
    """An expired password is AADSTS50055 with `error` and `suberror` user_password_expired."""
    user = grants.new_user("ropc-expired")
    grants.update_user(user, password_expires_at=now() - timedelta(days=1))
    response = sign_in(token, grants, grants.native, user.user_principal_name)
    body = assert_entra_error(response, 50055, 400, "user_password_expired")
    assert body["suberror"] == "user_password_expired"


@pytest.fixture
def expire_after_90_days(grants: GrantsWorld) -> Iterator[None]:
    """The tenant's password policy says 90 days (`tenant password-policy set --expire-days 90`), for one test."""
    grants.services.password_policies.set_policy(grants.tenant.id, validity_days=90)
    yield
    grants.services.password_policies.set_policy(grants.tenant.id, never_expire=True)


@pytest.mark.parametrize(
    ("changes", "expired"),
    [
        ({"password_changed_at_days": 91}, True),
        ({"password_changed_at_days": 90}, True),
        ({"password_changed_at_days": 89}, False),
        ({"password_changed_at_days": 400, "password_policies": "DisablePasswordExpiration"}, False),
    ],
)
def test_password_older_than_the_tenant_policy_is_50055(
    grants: GrantsWorld, token: TokenPoster, expire_after_90_days: None, changes: dict[str, Any], expired: bool
) -> None:
    """Under a 90-day policy a password set 90 days ago or more answers 50055 `user_password_expired`, saying
    a change is required; a younger one, or a user with DisablePasswordExpiration, signs in."""
    user = grants.new_user(f"ropc-aged-{changes['password_changed_at_days']}-{len(changes)}")
    days = changes.pop("password_changed_at_days")
    grants.update_user(user, password_changed_at=now() - timedelta(days=days), **changes)
    response = sign_in(token, grants, grants.native, user.user_principal_name)
    if not expired:
        issued(response, grants)
        return
    body = assert_entra_error(response, 50055, 400, "user_password_expired")
    assert body["suberror"] == "user_password_expired"
    assert "must be changed" in message_of(body)


def test_policy_expiry_is_not_revealed_to_a_wrong_password(
    grants: GrantsWorld, token: TokenPoster, expire_after_90_days: None
) -> None:
    """An expired password is only reported once the password is proven: a wrong one stays 50126."""
    user = grants.new_user("ropc-aged-wrong")
    grants.update_user(user, password_changed_at=now() - timedelta(days=365))
    response = sign_in(token, grants, grants.native, user.user_principal_name, "Wrong-Password-1")
    assert_entra_error(response, 50126, 400, "invalid_grant")


def test_forced_change_is_50055(grants: GrantsWorld, token: TokenPoster) -> None:
    """After an admin reset (forceChangePasswordNextSignIn), ROPC cannot show the change page: 50055."""
    user = grants.new_user("ropc-forced")
    grants.update_user(user, password_changed_at=now(), force_change_password_next_sign_in=True)
    body = assert_entra_error(
        sign_in(token, grants, grants.native, user.user_principal_name), 50055, 400, "user_password_expired"
    )
    assert "must be changed" in message_of(body)


def test_user_of_another_tenant_is_50020(grants: GrantsWorld, token: TokenPoster) -> None:
    """A tenant endpoint takes only its own users."""
    response = sign_in(token, grants, grants.native, grants.stranger.user_principal_name)
    assert_entra_error(response, 50020, 400, "invalid_grant")


def test_missing_consent_is_65001(grants: GrantsWorld, token: TokenPoster) -> None:
    """ROPC cannot ask for consent: without an earlier grant it is 65001 consent_required."""
    response = sign_in(token, grants, grants.unconsented, grants.alice.user_principal_name)
    body = assert_entra_error(response, 65001, 400, "consent_required")
    assert body["suberror"] == "consent_required"


def test_admin_only_scope_is_90094(grants: GrantsWorld, token: TokenPoster) -> None:
    """A scope only an admin may grant, not granted, is 90094."""
    response = sign_in(
        token, grants, grants.native, grants.alice.user_principal_name, scope=f"{ORDERS_URI}/Orders.Admin"
    )
    assert_entra_error(response, 90094, 400, "consent_required")


def test_assignment_required_is_50105(grants: GrantsWorld, token: TokenPoster) -> None:
    """When the client requires assignment, an unassigned user is AADSTS50105."""
    client = grants.native
    grants.services.apps.update_service_principal(grants.tenant.id, client.client_id, assignment_required=True)
    try:
        response = sign_in(token, grants, client, grants.alice.user_principal_name)
        assert_entra_error(response, 50105, 400, "access_denied")
    finally:
        grants.services.apps.update_service_principal(grants.tenant.id, client.client_id, assignment_required=False)


def test_confidential_client_without_secret_is_7000218(grants: GrantsWorld, token: TokenPoster) -> None:
    """A client without public client flows must authenticate."""
    form = without_secret(
        form_of(grants.web, GRANT, username=grants.alice.user_principal_name, password=PASSWORD, scope=SCOPE)
    )
    assert_entra_error(token(grants.token_path(), form), 7000218, 401, "invalid_client")


def test_public_client_with_secret_is_700025(grants: GrantsWorld, token: TokenPoster) -> None:
    """A public client sending a secret is AADSTS700025."""
    response = sign_in(token, grants, grants.native, grants.alice.user_principal_name, client_secret="s3cret")
    assert_entra_error(response, 700025, 401, "invalid_client")


@pytest.mark.parametrize("missing", ["username", "password", "scope"])
def test_missing_parameter_is_900144(grants: GrantsWorld, token: TokenPoster, missing: str) -> None:
    """Username, password and scope are required (900144 names the one missing)."""
    form = form_of(grants.native, GRANT, username=grants.alice.user_principal_name, password=PASSWORD, scope=SCOPE)
    del form[missing]
    body = assert_entra_error(token(grants.token_path(), form), 900144, 400, "invalid_request")
    assert f"'{missing}'" in message_of(body)


def test_unknown_client_is_700016(grants: GrantsWorld, token: TokenPoster) -> None:
    """An unknown client_id is refused before the password is looked at."""
    form = {
        "grant_type": GRANT,
        "client_id": "0f0f0f0f-0000-4000-8000-000000000000",
        "username": "x@grants.example",
        "password": "x",
        "scope": SCOPE,
    }
    assert_entra_error(token(grants.token_path(), form), 700016, 400, "unauthorized_client")
