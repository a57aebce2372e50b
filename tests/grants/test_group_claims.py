"""The `groups` claim (entra-reference §2.2): the resource app's `groupMembershipClaims` decides which of the
user's groups an access token names (the client app's decides for the id_token), and past 200 groups a JWT
carries the overage claims instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from grants.helpers import form_of, issued, now, verified
from grants.world import OIDC, ORDERS_URI, PASSWORD, GrantsWorld
from protocol.conftest import TokenPoster
from tenantry.directory.models import Group, User


def _group(grants: GrantsWorld, member: User, *, security: bool = True) -> Group:
    group = Group(str(uuid.uuid4()), grants.tenant.id, f"g-{uuid.uuid4().hex[:6]}", now(), security_enabled=security)
    with grants.services.store.transaction(write=True) as unit:
        unit.add_group(group)
        unit.add_group_member(grants.tenant.id, group.id, member.id)
    return group


def _claims(token: TokenPoster, grants: GrantsWorld, user: User, jwks: dict[str, Any]) -> dict[str, Any]:
    form = form_of(grants.native, "password", username=user.user_principal_name, password=PASSWORD)
    form["scope"] = f"{ORDERS_URI}/Orders.Read {OIDC}"
    body = issued(token(grants.token_path(), form), grants)
    return {"access": verified(body["access_token"], jwks), "id": verified(body["id_token"], jwks)}


@pytest.fixture
def orders_setting(grants: GrantsWorld) -> Iterator[Any]:
    """Set the Orders API's `groupMembershipClaims` for one test, then put it back."""
    original = grants.orders

    def apply(value: str | None) -> None:
        grants.update_app(original, group_membership_claims=value)

    yield apply
    grants.update_app(original, group_membership_claims=None)


@pytest.mark.parametrize(
    ("setting", "names"), [(None, ()), ("SecurityGroup", ("security",)), ("All", ("security", "other"))]
)
def test_the_resource_setting_decides_the_groups(
    grants: GrantsWorld,
    token: TokenPoster,
    jwks: dict[str, Any],
    orders_setting: Any,
    setting: str | None,
    names: tuple[str, ...],
) -> None:
    """No setting: no claim; SecurityGroup: security groups only; All: every group. The id_token follows the
    client app, which asks for none."""
    user = grants.new_user("grouped")
    made = {"security": _group(grants, user), "other": _group(grants, user, security=False)}
    orders_setting(setting)
    claims = _claims(token, grants, user, jwks)
    assert claims["access"].get("groups", []) == sorted(made[n].id for n in names)
    assert "groups" not in claims["id"]


def test_more_than_200_groups_is_an_overage(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any], orders_setting: Any
) -> None:
    """Past 200 groups the JWT points at the user's getMemberObjects instead of naming them."""
    user = grants.new_user("crowded")
    with grants.services.store.transaction(write=True) as unit:
        for _ in range(201):
            group = Group(str(uuid.uuid4()), grants.tenant.id, f"g-{uuid.uuid4().hex[:6]}", now())
            unit.add_group(group)
            unit.add_group_member(grants.tenant.id, group.id, user.id)
    orders_setting("All")
    access = _claims(token, grants, user, jwks)["access"]
    assert "groups" not in access
    assert access["_claim_names"] == {"groups": "src1"}
    assert access["_claim_sources"]["src1"]["endpoint"].endswith(f"/v1.0/users/{user.id}/getMemberObjects")
