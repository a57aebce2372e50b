"""Graph `/groups` and `members/$ref` (issue 11 §3): security groups, and role-assignable groups that only
Global and Privileged Role Administrators may create or change the members of (Entra's rule)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from graph.helpers import BAD_REQUEST, DENIED, NOT_FOUND, assert_graph_error
from graph.world import GLOBAL_ADMIN, PRIVILEGED_ROLE_ADMIN, GraphWorld, auth

GROUPS_ADMIN = "Groups Administrator"
USER_ADMIN = "User Administrator"
ADMIN_SCOPE = "Directory.AccessAsUser.All"


def headers_of(graph: GraphWorld, *roles: str) -> dict[str, str]:
    """A fresh user holding `roles`, calling with `Directory.AccessAsUser.All`."""
    return auth(graph.user_token(graph.new_user("grouper", *roles), ADMIN_SCOPE))


def group_body(**extra: Any) -> dict[str, Any]:
    """Graph's security-group example."""
    name = f"Sales {uuid.uuid4().hex[:6]}"
    body = {"displayName": name, "mailEnabled": False, "mailNickname": name.replace(" ", ""), "securityEnabled": True}
    return {**body, **extra}


def reference(object_id: str) -> dict[str, str]:
    """A `$ref` body."""
    return {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{object_id}"}


def test_group_crud_and_members(graph: GraphWorld, client: Any) -> None:
    """Create → 201; read; PATCH; add, list and remove a member; delete → 404 after; audited."""
    headers = headers_of(graph, GROUPS_ADMIN)
    created = client.post("/v1.0/groups", headers=headers, json=group_body(description="Sales team"))
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["securityEnabled"] is True and group["mailEnabled"] is False
    assert group["isAssignableToRole"] is False and group["description"] == "Sales team"
    assert created.headers["location"].endswith(f"/v1.0/groups/{group['id']}")
    url = f"/v1.0/groups/{group['id']}"

    assert client.patch(url, headers=headers, json={"displayName": "Sales EMEA"}).status_code == 204
    assert client.get(url, headers=headers).json()["displayName"] == "Sales EMEA"
    listed = client.get("/v1.0/groups?$filter=displayName eq 'Sales EMEA'", headers=headers).json()["value"]
    assert [g["id"] for g in listed] == [group["id"]]

    member = graph.new_user("member")
    assert client.post(f"{url}/members/$ref", headers=headers, json=reference(member.id)).status_code == 204
    again = client.post(f"{url}/members/$ref", headers=headers, json=reference(member.id))
    assert_graph_error(again, 400, BAD_REQUEST)
    members = client.get(f"{url}/members", headers=headers).json()["value"]
    assert [(m["@odata.type"], m["id"]) for m in members] == [("#microsoft.graph.user", member.id)]
    assert client.delete(f"{url}/members/{member.id}/$ref", headers=headers).status_code == 204
    assert client.get(f"{url}/members", headers=headers).json()["value"] == []
    assert_graph_error(client.delete(f"{url}/members/{member.id}/$ref", headers=headers), 404, NOT_FOUND)

    assert client.delete(url, headers=headers).status_code == 204
    assert_graph_error(client.get(url, headers=headers), 404, NOT_FOUND)
    activities = {
        r.activity for r in graph.services.audit.list_records(graph.tenant.id) if r.targets[0].id == group["id"]
    }
    assert {
        "Add group",
        "Update group",
        "Add member to group",
        "Remove member from group",
        "Delete group",
    } <= activities


@pytest.mark.parametrize(
    "change",
    [{"mailEnabled": True}, {"securityEnabled": False}, {"groupTypes": ["Unified"]}, {"mailNickname": None}],
)
def test_only_security_groups(graph: GraphWorld, client: Any, change: dict[str, Any]) -> None:
    """Microsoft 365 and mail-enabled groups are not supported: 400."""
    body = {k: v for k, v in {**group_body(), **change}.items() if v is not None}
    response = client.post("/v1.0/groups", headers=headers_of(graph, GROUPS_ADMIN), json=body)
    assert_graph_error(response, 400, BAD_REQUEST)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(GROUPS_ADMIN, False), (USER_ADMIN, False), (PRIVILEGED_ROLE_ADMIN, True), (GLOBAL_ADMIN, True)],
)
def test_role_assignable_group_needs_role_management(graph: GraphWorld, client: Any, role: str, allowed: bool) -> None:
    """Creating a role-assignable group: Privileged Role Administrator or Global Administrator only."""
    response = client.post("/v1.0/groups", headers=headers_of(graph, role), json=group_body(isAssignableToRole=True))
    if allowed:
        assert response.status_code == 201, response.text
        assert response.json()["isAssignableToRole"] is True
    else:
        error = assert_graph_error(response, 403, DENIED)
        assert PRIVILEGED_ROLE_ADMIN in error["message"]


def test_group_administrator_cannot_join_a_role_assignable_group(graph: GraphWorld, client: Any) -> None:
    """Adding oneself to a group that holds Global Administrator is role assignment: 403."""
    admin = graph.new_user("climber", GROUPS_ADMIN)
    headers = auth(graph.user_token(admin, ADMIN_SCOPE))
    created = client.post(
        "/v1.0/groups", headers=headers_of(graph, GLOBAL_ADMIN), json=group_body(isAssignableToRole=True)
    )
    group_id = created.json()["id"]
    graph.roles.assign_role(graph.tenant.id, group_id, GLOBAL_ADMIN)
    response = client.post(f"/v1.0/groups/{group_id}/members/$ref", headers=headers, json=reference(admin.id))
    assert_graph_error(response, 403, DENIED)
    assert (
        graph.services.groups.list_members(graph.services.groups.find_group(graph.tenant.id, group_id) or pytest.fail())
        == []
    )


def test_app_with_group_read_write_all(graph: GraphWorld, client: Any) -> None:
    """`Group.ReadWrite.All` creates plain groups but not role-assignable ones."""
    headers = auth(graph.app_token("Group.ReadWrite.All"))
    assert client.post("/v1.0/groups", headers=headers, json=group_body()).status_code == 201
    assert_graph_error(
        client.post("/v1.0/groups", headers=headers, json=group_body(isAssignableToRole=True)), 403, DENIED
    )
