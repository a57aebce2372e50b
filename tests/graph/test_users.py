"""Graph `/users`, `/me`, `revokeSignInSessions` and password resets (issue 11 §3, §4, §6, §7), driven with
delegated tokens of users holding directory roles and app-only tokens from MSAL.

The full reset table (every actor role × every target role) is `tests/unit/directory`'s; here a few
representative pairs go through Graph end to end.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.helpers import BAD_REQUEST, DENIED, NOT_FOUND, assert_graph_error
from graph.world import GLOBAL_ADMIN, PASSWORD, GraphWorld, auth
from protocol.conftest import assert_entra_error
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.errors import AadstsError
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.policy import check_new_password, context_for
from tenantry.sessions.models import SsoSession
from tenantry.sessions.service import check_session
from tenantry.tokens.models import RefreshToken
from tenantry.tokens.opaque import new_opaque_token, token_hash

HELPDESK = "Helpdesk Administrator"
PRIVILEGED_AUTH_ADMIN = "Privileged Authentication Administrator"
USER_ADMIN = "User Administrator"
ADMIN_SCOPE = "Directory.AccessAsUser.All"
METHOD = "28c10230-6103-485e-b985-444c60001490"
NEW_PASSWORD = "Quartz-Lantern-47!"
HASHING = PasswordHashing()


def admin_headers(graph: GraphWorld, *roles: str) -> dict[str, str]:
    """A fresh user holding `roles`, calling with `Directory.AccessAsUser.All`."""
    return auth(graph.user_token(graph.new_user("admin", *roles), ADMIN_SCOPE))


def new_upn(graph: GraphWorld, name: str = "adele") -> str:
    """A free UPN in the suite's tenant."""
    return f"{name}-{uuid.uuid4().hex[:6]}@{graph.tenant.domains[0]}"


def create_body(upn: str, **extra: Any) -> dict[str, Any]:
    """Entra's example body (entra-reference §5.1)."""
    body: dict[str, Any] = {
        "accountEnabled": True,
        "displayName": "Adele Vance",
        "mailNickname": "AdeleV",
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": "xWwvJ]6NMw+bWH-d"},
    }
    return {**body, **extra}


def stored(graph: GraphWorld, user: User) -> User:
    """The user as stored now."""
    found = graph.services.users.find_user(user.user_principal_name)
    assert found is not None
    return found


def old_refresh_token(graph: GraphWorld, user: User) -> str:
    """A refresh token of the console from a sign-in an hour ago (the user's password is older still)."""
    aged = replace(stored(graph, user), password_changed_at=datetime.now(UTC) - timedelta(hours=2))
    with graph.services.store.transaction(write=True) as unit:
        unit.update_user(aged)
    value = new_opaque_token("rt.")
    graph.sensitive.add(value)
    created = datetime.now(UTC) - timedelta(hours=1)
    row = RefreshToken(
        token_hash=token_hash(value),
        family_id=new_guid(),
        tenant_id=user.tenant_id,
        client_id=graph.console.app_id,
        user_id=user.id,
        scopes=("https://graph.microsoft.com/User.Read", "openid", "offline_access"),
        created_at=created,
        expires_at=created + timedelta(days=90),
        auth_time=created,
    )
    with graph.services.store.transaction(write=True) as unit:
        unit.add_refresh_token(row)
    return value


def redeem(graph: GraphWorld, client: Any, value: str) -> httpx.Response:
    """The refresh-token grant of the public console."""
    form = {
        "grant_type": "refresh_token",
        "client_id": graph.console.app_id,
        "refresh_token": value,
        "scope": "https://graph.microsoft.com/User.Read offline_access",
    }
    response: httpx.Response = client.post(graph.token_url(), data=form)
    return response


def test_create_read_update_delete_user(graph: GraphWorld, client: Any) -> None:
    """POST → 201 with Location; GET by id and UPN; PATCH → 204; DELETE → 204, then 404; audited."""
    headers = admin_headers(graph, USER_ADMIN)
    upn = new_upn(graph)
    created = client.post("/v1.0/users", headers=headers, json=create_body(upn, givenName="Adele", surname="Vance"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["userPrincipalName"] == upn and body["givenName"] == "Adele" and body["accountEnabled"] is True
    assert "passwordPolicies" not in body and "passwordProfile" not in body
    assert body["onPremisesImmutableId"] is None
    assert created.headers["location"].endswith(f"/v1.0/users/{body['id']}")
    assert stored(graph, graph.services.users.find_user(upn) or pytest.fail()).force_change_password_next_sign_in

    by_upn = client.get(f"/v1.0/users/{upn}", headers=headers).json()
    assert by_upn["id"] == body["id"]
    selected = client.get(f"/v1.0/users/{body['id']}?$select=id,passwordPolicies", headers=headers).json()
    assert selected["passwordPolicies"] == "None"
    listed = client.get(f"/v1.0/users?$filter=startswith(userPrincipalName,'{upn[:10]}')", headers=headers).json()
    assert [u["id"] for u in listed["value"]] == [body["id"]]

    patched = client.patch(f"/v1.0/users/{body['id']}", headers=headers, json={"displayName": "Adele V."})
    assert patched.status_code == 204, patched.text
    assert client.get(f"/v1.0/users/{upn}", headers=headers).json()["displayName"] == "Adele V."

    assert client.delete(f"/v1.0/users/{body['id']}", headers=headers).status_code == 204
    assert_graph_error(client.get(f"/v1.0/users/{body['id']}", headers=headers), 404, NOT_FOUND)
    activities = [
        r.activity for r in graph.services.audit.list_records(graph.tenant.id) if r.targets[0].id == body["id"]
    ]
    assert {"Add user", "Update user", "Delete user"} <= set(activities)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"passwordProfile": None}, "passwordProfile"),
        ({"userPrincipalName": "adele@not-ours.example"}, "verified domain"),
        ({"passwordProfile": {"password": "short"}}, "AADSTS120002"),
    ],
)
def test_create_user_refusals(graph: GraphWorld, client: Any, change: dict[str, Any], fragment: str) -> None:
    """A missing property, a foreign domain, a weak password: 400 saying which."""
    headers = admin_headers(graph, USER_ADMIN)
    body = {k: v for k, v in {**create_body(new_upn(graph)), **change}.items() if v is not None}
    error = assert_graph_error(client.post("/v1.0/users", headers=headers, json=body), 400, BAD_REQUEST)
    assert fragment in error["message"]


def test_disable_strong_password_relaxes_the_policy(graph: GraphWorld, client: Any) -> None:
    """`passwordPolicies: DisableStrongPassword` accepts a long lower-case password."""
    headers = admin_headers(graph, USER_ADMIN)
    body = create_body(new_upn(graph), passwordPolicies="DisableStrongPassword")
    body["passwordProfile"]["password"] = "quartzlanternmeadow"
    assert client.post("/v1.0/users", headers=headers, json=body).status_code == 201


def test_a_user_without_a_role_may_read_but_not_create(graph: GraphWorld, client: Any) -> None:
    """Entra's default user permissions read the directory; creating needs a role."""
    headers = admin_headers(graph)
    assert client.get("/v1.0/users", headers=headers).status_code == 200
    error = assert_graph_error(
        client.post("/v1.0/users", headers=headers, json=create_body(new_upn(graph))), 403, DENIED
    )
    assert "User Administrator" in error["message"]


def test_app_with_user_read_all_lists_users(graph: GraphWorld, client: Any) -> None:
    """`User.Read.All` reads; without `User.ReadWrite.All` nothing is created."""
    headers = auth(graph.app_token("User.Read.All"))
    assert client.get("/v1.0/users?$top=1", headers=headers).status_code == 200
    assert_graph_error(client.post("/v1.0/users", headers=headers, json=create_body(new_upn(graph))), 403, DENIED)


def test_me_and_member_of(graph: GraphWorld, client: Any) -> None:
    """`/me` is the token's user; an app-only token gets 400; `memberOf` lists direct groups."""
    user = graph.new_user("bianca")
    group = graph.services.users.create_group(graph.tenant.id, f"Sales {uuid.uuid4().hex[:6]}")
    graph.services.users.add_member(group, user)
    headers = auth(graph.user_token(user, "User.Read", reader=True))
    me = client.get("/v1.0/me", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user.id and me.json()["@odata.context"].endswith("$metadata#users/$entity")
    member_of = client.get(f"/v1.0/users/{user.id}/memberOf", headers=headers).json()
    assert [g["id"] for g in member_of["value"]] == [group.id]
    assert member_of["value"][0]["@odata.type"] == "#microsoft.graph.group"
    app_only = client.get("/v1.0/me", headers=auth(graph.app_token("User.Read.All")))
    assert_graph_error(app_only, 400, BAD_REQUEST)


# --- admin reset (§4) and the who-may-reset table (§5.6) -------------------------------------------


def reset(client: Any, headers: dict[str, str], user: User, body: dict[str, Any] | None = None) -> httpx.Response:
    """Graph's resetPassword action on the password method."""
    url = f"/v1.0/users/{user.id}/authentication/methods/{METHOD}/resetPassword"
    response: httpx.Response = client.post(url, headers=headers, json=body or {})
    return response


def test_helpdesk_resets_a_plain_user_with_a_generated_password(graph: GraphWorld, client: Any) -> None:
    """202 with `Location` and the generated password once; it meets the policy; the user must change it;
    the old refresh token answers 50173 and an older SSO session 50133."""
    target = graph.new_user("carol")
    refresh = old_refresh_token(graph, target)
    assert redeem(graph, client, old_refresh_token(graph, target)).status_code == 200
    response = reset(client, admin_headers(graph, HELPDESK), target)
    assert response.status_code == 202, response.text
    assert "/authentication/operations/" in response.headers["location"]
    location = response.headers["location"].split("/v1.0", 1)[1]
    operation = client.get(f"/v1.0{location}", headers=admin_headers(graph, HELPDESK))
    assert operation.status_code == 200 and operation.json()["status"] == "succeeded", operation.text
    generated = response.json()["newPassword"]
    graph.sensitive.add(generated)
    after = stored(graph, target)
    check_new_password(
        generated, context_for(after, graph.tenant, graph.services.password_policies.policy_for(graph.tenant.id))
    )
    assert HASHING.verify(after.password_hash, generated)
    assert after.force_change_password_next_sign_in and after.sign_in_sessions_valid_from is not None
    assert_entra_error(redeem(graph, client, refresh), 50173, 400, "invalid_grant")
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    session = SsoSession(new_guid(), target.tenant_id, target.id, hour_ago, hour_ago, hour_ago)
    with pytest.raises(AadstsError) as raised:
        check_session(session, after, datetime.now(UTC))
    assert raised.value.code == 50133
    records = [r for r in graph.services.audit.list_records(graph.tenant.id) if r.targets[0].id == target.id]
    assert records[0].activity == "Reset user password"


def test_helpdesk_cannot_reset_a_global_administrator(graph: GraphWorld, client: Any) -> None:
    """403 naming the roles that may (Privileged Authentication Administrator, Global Administrator)."""
    target = graph.new_user("gina", GLOBAL_ADMIN)
    before = stored(graph, target).password_hash
    error = assert_graph_error(
        reset(client, admin_headers(graph, HELPDESK), target, {"newPassword": NEW_PASSWORD}), 403, DENIED
    )
    assert PRIVILEGED_AUTH_ADMIN in error["message"] and GLOBAL_ADMIN in error["message"]
    assert stored(graph, target).password_hash == before


def test_privileged_authentication_administrator_resets_a_global_administrator(graph: GraphWorld, client: Any) -> None:
    """PATCH `passwordProfile` is the same reset: allowed, `forceChangePasswordNextSignIn` as given."""
    target = graph.new_user("gary", GLOBAL_ADMIN)
    body = {"passwordProfile": {"password": NEW_PASSWORD, "forceChangePasswordNextSignIn": False}}
    response = client.patch(f"/v1.0/users/{target.id}", headers=admin_headers(graph, PRIVILEGED_AUTH_ADMIN), json=body)
    assert response.status_code == 204, response.text
    after = stored(graph, target)
    assert not after.force_change_password_next_sign_in
    assert HASHING.verify(after.password_hash, NEW_PASSWORD)


def test_reset_with_a_weak_password_is_refused(graph: GraphWorld, client: Any) -> None:
    """A given password must meet the policy (120002 in the message)."""
    target = graph.new_user("dora")
    error = assert_graph_error(
        reset(client, admin_headers(graph, GLOBAL_ADMIN), target, {"newPassword": "password"}), 400, BAD_REQUEST
    )
    assert "AADSTS120002" in error["message"]


@pytest.mark.parametrize("segment", ["methods", "passwordMethods"])
def test_authentication_methods_lists_the_password(graph: GraphWorld, client: Any, segment: str) -> None:
    """One `passwordAuthenticationMethod` with Graph's fixed id; never the password; `passwordMethods` alike,
    whose `resetPassword` is the same reset."""
    target = graph.new_user("erin")
    headers = admin_headers(graph, HELPDESK)
    body = client.get(f"/v1.0/users/{target.id}/authentication/{segment}", headers=headers).json()
    assert [(m["@odata.type"], m["id"], m["password"]) for m in body["value"]] == [
        ("#microsoft.graph.passwordAuthenticationMethod", METHOD, None)
    ]
    url = f"/v1.0/users/{target.id}/authentication/{segment}/{METHOD}/resetPassword"
    answer = client.post(url, headers=headers, json={"newPassword": NEW_PASSWORD})
    assert answer.status_code == 202, answer.text
    assert answer.json()["newPassword"] is None
    assert HASHING.verify(stored(graph, target).password_hash, NEW_PASSWORD)
    other_method = client.post(url.replace(METHOD, new_guid()), headers=headers, json={})
    assert_graph_error(other_method, 404, NOT_FOUND)


# --- the user's own change (§6) and revocation (§7) -------------------------------------------------


def change(graph: GraphWorld, client: Any, user: User, current: str, new: str) -> httpx.Response:
    """`POST /me/changePassword` with the user's own token."""
    graph_token = graph.user_token(user, ADMIN_SCOPE)
    body = {"currentPassword": current, "newPassword": new}
    response: httpx.Response = client.post("/v1.0/me/changePassword", headers=auth(graph_token), json=body)
    return response


@pytest.mark.parametrize(
    ("current", "new", "code"),
    [
        ("Not-The-Passw0rd!", NEW_PASSWORD, "AADSTS120000"),
        (PASSWORD, "abcdefgh", "AADSTS120002"),
        (PASSWORD, PASSWORD, "AADSTS120002"),
        (PASSWORD, "Frank-Quartz-47!", "AADSTS120003"),
        (PASSWORD, "P@ssw0rd1234", "AADSTS120018"),
    ],
)
def test_change_password_refusals(graph: GraphWorld, client: Any, current: str, new: str, code: str) -> None:
    """Wrong current password 120000; too weak or the current one 120002; the user's name 120003; banned
    120018."""
    user = graph.new_user("frank")
    error = assert_graph_error(change(graph, client, user, current, new), 400, BAD_REQUEST)
    assert error["message"].startswith(code), error["message"]


def test_change_password_then_old_refresh_token_is_50173(graph: GraphWorld, client: Any) -> None:
    """204; the new password works, the old refresh token does not; audited."""
    user = graph.new_user("hana")
    refresh = old_refresh_token(graph, user)
    assert redeem(graph, client, old_refresh_token(graph, user)).status_code == 200
    assert change(graph, client, user, PASSWORD, NEW_PASSWORD).status_code == 204
    assert HASHING.verify(stored(graph, user).password_hash, NEW_PASSWORD)
    assert_entra_error(redeem(graph, client, refresh), 50173, 400, "invalid_grant")
    records = [r for r in graph.services.audit.list_records(graph.tenant.id) if r.targets[0].id == user.id]
    assert records[0].activity == "Change user password"


def test_revoke_sign_in_sessions_then_refresh_is_50173(graph: GraphWorld, client: Any) -> None:
    """`{"value": true}`; the refresh token from before answers 50173 and an older session 50133."""
    user = graph.new_user("ivan")
    refresh = old_refresh_token(graph, user)
    control = redeem(graph, client, old_refresh_token(graph, user))
    assert control.status_code == 200, control.text
    response = client.post(f"/v1.0/users/{user.id}/revokeSignInSessions", headers=admin_headers(graph, HELPDESK))
    assert response.status_code == 200, response.text
    assert response.json()["value"] is True
    assert_entra_error(redeem(graph, client, refresh), 50173, 400, "invalid_grant")
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    session = SsoSession(new_guid(), user.tenant_id, user.id, hour_ago, hour_ago, hour_ago)
    with pytest.raises(AadstsError) as raised:
        check_session(session, stored(graph, user), datetime.now(UTC))
    assert raised.value.code == 50133


def test_helpdesk_cannot_revoke_a_global_administrators_sessions(graph: GraphWorld, client: Any) -> None:
    """Revocation follows the reset table."""
    target = graph.new_user("gus", GLOBAL_ADMIN)
    response = client.post(f"/v1.0/users/{target.id}/revokeSignInSessions", headers=admin_headers(graph, HELPDESK))
    assert_graph_error(response, 403, DENIED)


def test_force_change_alone_keeps_the_password(graph: GraphWorld, client: Any) -> None:
    """`passwordProfile` with only `forceChangePasswordNextSignIn`: the flag changes, the password does not."""
    target = graph.new_user("jack")
    before = stored(graph, target).password_hash
    body = {"passwordProfile": {"forceChangePasswordNextSignIn": True}}
    response = client.patch(f"/v1.0/users/{target.id}", headers=admin_headers(graph, HELPDESK), json=body)
    assert response.status_code == 204, response.text
    after = stored(graph, target)
    assert after.force_change_password_next_sign_in and after.password_hash == before
    denied = client.patch(f"/v1.0/users/{target.id}", headers=admin_headers(graph), json=body)
    assert_graph_error(denied, 403, DENIED)


def test_get_member_objects_lists_the_groups_an_overage_points_at(graph: GraphWorld, client: Any) -> None:
    """`getMemberObjects` (where a token's groups overage claim points): the user's group ids, security groups
    alone when asked; the user may ask for itself, others need a group-reading right."""
    user = graph.new_user("member")
    security = graph.services.users.create_group(graph.tenant.id, f"sec-{uuid.uuid4().hex[:6]}")
    graph.services.users.add_member(security, user)
    with graph.services.store.transaction(write=True) as unit:
        other = replace(security, id=new_guid(), display_name=f"dl-{uuid.uuid4().hex[:6]}", security_enabled=False)
        unit.add_group(other)
        unit.add_group_member(graph.tenant.id, other.id, user.id)
    url = f"/v1.0/users/{user.id}/getMemberObjects"
    own = graph.user_token(user, "User.Read", reader=True)
    everything = client.post(url, headers=auth(own), json={"securityEnabledOnly": False})
    assert everything.status_code == 200, everything.text
    assert sorted(everything.json()["value"]) == sorted([security.id, other.id])
    only_security = client.post(
        url, headers=auth(graph.app_token("Directory.Read.All")), json={"securityEnabledOnly": True}
    )
    assert only_security.json()["value"] == [security.id]
    stranger = graph.user_token(graph.new_user("stranger"), "User.Read", reader=True)
    assert_graph_error(client.post(url, headers=auth(stranger), json={}), 403, DENIED)


def test_on_premises_account_is_shown_and_read_only(graph: GraphWorld, client: Any) -> None:
    """What `tenantry user update --on-premises-*` set (directory sync's part on Entra) is returned by Graph,
    which refuses to change it (400 like any property it does not accept); an admin of the tenant sees it."""
    headers = admin_headers(graph, USER_ADMIN)
    target = graph.new_user("synced")
    account = {
        "on_premises_user_principal_name": "synced@CORP.EXAMPLE",
        "on_premises_sam_account_name": "synced",
        "on_premises_security_identifier": "S-1-5-21-1004336348-1177238915-682003330-1104",
    }
    graph.services.users.set_on_premises_account(target, account)
    body = client.get(f"/v1.0/users/{target.id}", headers=headers).json()
    assert body["onPremisesUserPrincipalName"] == "synced@CORP.EXAMPLE"
    assert body["onPremisesSamAccountName"] == "synced"
    assert body["onPremisesSecurityIdentifier"] == account["on_premises_security_identifier"]
    refused = client.patch(
        f"/v1.0/users/{target.id}", headers=headers, json={"onPremisesUserPrincipalName": "mallory@CORP.EXAMPLE"}
    )
    assert refused.status_code == 400, refused.text
    assert client.get(f"/v1.0/users/{target.id}", headers=headers).json()["onPremisesSamAccountName"] == "synced"
