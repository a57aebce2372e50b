"""`wids` (entra-reference §2.2): a user's access tokens carry the template ids of its directory roles, assigned
directly or to a role-assignable group it is a member of, and Entra's member-user template id; id_tokens do not."""

from __future__ import annotations

import uuid
from typing import Any

from grants.helpers import form_of, issued, now, verified
from grants.world import OIDC, ORDERS_URI, PASSWORD, STOCK_URI, GrantsWorld
from protocol.conftest import TokenPoster
from tenantry.directory.models import Group, User
from tenantry.directory.roles import MEMBER_USER_TEMPLATE_ID, find_role

HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def tokens(token: TokenPoster, grants: GrantsWorld, user: User, scope: str) -> dict[str, Any]:
    """A password-grant sign-in of the native client."""
    form = form_of(grants.native, "password", username=user.user_principal_name, password=PASSWORD, scope=scope)
    return issued(token(grants.token_path(), form), grants)


def role_assignable_group(grants: GrantsWorld, *members: User) -> Group:
    """A fresh group created role-assignable, with these direct members."""
    group = Group(
        str(uuid.uuid4()), grants.tenant.id, f"admins-{uuid.uuid4().hex[:6]}", now(), is_assignable_to_role=True
    )
    with grants.services.store.transaction(write=True) as unit:
        unit.add_group(group)
        for member in members:
            unit.add_group_member(grants.tenant.id, group.id, member.id)
    return group


def test_a_user_without_a_role_carries_the_member_user_template(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """Every member user's access token carries `b79fbf4d-…`; its id_token carries no `wids`."""
    body = tokens(token, grants, grants.new_user("plain"), f"{ORDERS_URI}/Orders.Read {OIDC}")
    assert verified(body["access_token"], jwks)["wids"] == [MEMBER_USER_TEMPLATE_ID]
    assert "wids" not in verified(body["id_token"], jwks)


def test_directly_assigned_roles_are_in_wids_of_v1_and_v2_tokens(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """Roles in catalogue order, then the member-user template id, whatever the resource's token version."""
    user = grants.new_user("helpdesk")
    for name in ("Helpdesk Administrator", "Global Reader"):
        grants.services.roles.assign_role(grants.tenant.id, user.id, name)
    for scope in (f"{ORDERS_URI}/Orders.Read", f"{STOCK_URI}/Stock.Read"):
        claims = verified(tokens(token, grants, user, scope)["access_token"], jwks)
        assert claims["wids"] == [GLOBAL_READER, HELPDESK, MEMBER_USER_TEMPLATE_ID], scope


def test_roles_of_a_role_assignable_group_reach_its_members(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]
) -> None:
    """A role assigned to a role-assignable group is in the `wids` of its direct members, and in their rights."""
    member, outsider = grants.new_user("member"), grants.new_user("outsider")
    group = role_assignable_group(grants, member)
    grants.services.roles.assign_role(grants.tenant.id, group.id, "User Administrator")
    claims = verified(tokens(token, grants, member, f"{ORDERS_URI}/Orders.Read")["access_token"], jwks)
    assert claims["wids"] == [USER_ADMIN, MEMBER_USER_TEMPLATE_ID]
    outsiders = verified(tokens(token, grants, outsider, f"{ORDERS_URI}/Orders.Read")["access_token"], jwks)
    assert outsiders["wids"] == [MEMBER_USER_TEMPLATE_ID]
    assert grants.services.authorizer.roles_of_principal(grants.tenant.id, member.id) == (find_role(USER_ADMIN),)
    assert grants.services.authorizer.roles_of_principal(grants.tenant.id, outsider.id) == ()
