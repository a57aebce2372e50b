"""Graph authentication methods (issue 12 §3): `temporaryAccessPassMethods` (issue: the pass once; list
without it; delete), `softwareOathMethods` (list, read, delete), and `methods` listing them after the password.
Issuing and deleting follow the password-reset table (an Authentication Administrator reaches users without
an admin role; `test_escalation_matrix.py` has a pass for a Global Administrator).
"""

from __future__ import annotations

from typing import Any

from graph.helpers import BAD_REQUEST, DENIED, NOT_FOUND, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.common.ids import new_guid
from tenantry.sessions.mfa import AuthMethod, MethodType, hash_pass, new_totp_secret, seal_secret

AUTH_ADMIN = "Authentication Administrator"
ADMIN_SCOPE = "Directory.AccessAsUser.All"
TAP = "temporaryAccessPassMethods"


def headers(graph: GraphWorld, *roles: str) -> dict[str, str]:
    """A fresh user holding `roles`, calling with `Directory.AccessAsUser.All`."""
    return auth(graph.user_token(graph.new_user("admin", *roles), ADMIN_SCOPE))


def test_issue_list_and_delete_a_pass(graph: GraphWorld, client: Any) -> None:
    """201 with the pass once (stored as a hash); the list and `methods` never show it; delete is 204 then 404."""
    target = graph.new_user("tap")
    admin = headers(graph, AUTH_ADMIN)
    url = f"/v1.0/users/{target.id}/authentication/{TAP}"
    created = client.post(url, headers=admin, json={"lifetimeInMinutes": 120, "isUsableOnce": True})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["@odata.type"] == "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
    assert len(body["temporaryAccessPass"]) == 12
    assert (body["lifetimeInMinutes"], body["isUsableOnce"], body["isUsable"]) == (120, True, True)
    assert body["methodUsabilityReason"] == "EnabledByPolicy"
    [stored] = graph.services.auth_methods.list_methods(target)
    assert stored.pass_hash == hash_pass(body["temporaryAccessPass"])
    listed = client.get(url, headers=admin).json()["value"]
    assert [m["id"] for m in listed] == [body["id"]] and listed[0]["temporaryAccessPass"] is None
    methods = client.get(f"/v1.0/users/{target.id}/authentication/methods", headers=admin).json()["value"]
    assert [m["@odata.type"] for m in methods] == [
        "#microsoft.graph.passwordAuthenticationMethod",
        "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
    ]
    assert body["temporaryAccessPass"] not in str(methods)
    assert client.delete(f"{url}/{body['id']}", headers=admin).status_code == 204
    assert_graph_error(client.delete(f"{url}/{body['id']}", headers=admin), 404, NOT_FOUND)
    activities = [
        r.activity for r in graph.services.audit.list_records(target.tenant_id) if r.targets[0].id == target.id
    ]
    assert {"Admin registered security info", "Admin deleted security info"} <= set(activities)


def test_lifetime_is_checked_and_rights_follow_the_reset_table(graph: GraphWorld, client: Any) -> None:
    """5 minutes is 400; a user without a role, or a Helpdesk-less Groups Administrator, gets 403; an app with
    `UserAuthenticationMethod.ReadWrite.All` may issue one for a user without an admin role."""
    target = graph.new_user("rights")
    url = f"/v1.0/users/{target.id}/authentication/{TAP}"
    short = client.post(url, headers=headers(graph, AUTH_ADMIN), json={"lifetimeInMinutes": 5})
    assert_graph_error(short, 400, BAD_REQUEST)
    far = client.post(url, headers=headers(graph, AUTH_ADMIN), json={"startDateTime": "9999-12-31T00:00:00Z"})
    assert_graph_error(far, 400, BAD_REQUEST)
    for caller in (headers(graph), headers(graph, "Groups Administrator")):
        assert_graph_error(client.post(url, headers=caller, json={}), 403, DENIED)
    app = auth(graph.app_token("UserAuthenticationMethod.ReadWrite.All"))
    created = client.post(url, headers=app, json={})
    assert created.status_code == 201 and created.json()["lifetimeInMinutes"] == 60


def test_software_oath_methods_are_listed_read_and_deleted(graph: GraphWorld, client: Any) -> None:
    """An enrolled authenticator app: in `methods` and `softwareOathMethods`, never its secret; delete 204."""
    target = graph.new_user("oath")
    method = AuthMethod(
        id=new_guid(),
        tenant_id=target.tenant_id,
        user_id=target.id,
        type=MethodType.SOFTWARE_OATH,
        display_name="Authenticator app",
        created_at=graph.services.clock.now(),
        sealed_secret=seal_secret(graph.services.master_key, new_totp_secret()),
    )
    with graph.services.store.transaction(write=True) as unit:
        unit.add_auth_method(method)
    admin = headers(graph, AUTH_ADMIN)
    url = f"/v1.0/users/{target.id}/authentication/softwareOathMethods"
    listed = client.get(url, headers=admin).json()["value"]
    assert listed == [
        {
            "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
            "id": method.id,
            "secretKey": None,
            "createdDateTime": listed[0]["createdDateTime"],
        }
    ]
    one = client.get(f"{url}/{method.id}", headers=admin)
    assert one.status_code == 200 and one.json()["id"] == method.id
    assert_graph_error(client.get(f"{url}/{new_guid()}", headers=admin), 404, NOT_FOUND)
    assert_graph_error(client.delete(f"{url}/{method.id}", headers=headers(graph)), 403, DENIED)
    assert client.delete(f"{url}/{method.id}", headers=admin).status_code == 204
    assert graph.services.auth_methods.list_methods(target) == []


def test_per_user_mfa_state(graph: GraphWorld, client: Any) -> None:
    """GET says `disabled` at first; PATCH `enforced` (204, audited) under the reset table; a bad value is 400."""
    target = graph.new_user("required")
    admin = headers(graph, AUTH_ADMIN)
    url = f"/v1.0/users/{target.id}/authentication/requirements"
    assert client.get(url, headers=admin).json()["perUserMfaState"] == "disabled"
    assert_graph_error(client.patch(url, headers=headers(graph), json={"perUserMfaState": "enforced"}), 403, DENIED)
    assert client.patch(url, headers=admin, json={"perUserMfaState": "enforced"}).status_code == 204
    assert client.get(url, headers=admin).json()["perUserMfaState"] == "enforced"
    assert graph.services.auth_methods.mfa_state(target) == "enforced"
    assert_graph_error(client.patch(url, headers=admin, json={"perUserMfaState": "maybe"}), 400, BAD_REQUEST)
    [audited] = [
        r
        for r in graph.services.audit.list_records(target.tenant_id)
        if r.targets[0].id == target.id and r.activity == "Update user"
    ]
    assert audited.targets[0].modified == (("StrongAuthenticationRequirement", "disabled", "enforced"),)
