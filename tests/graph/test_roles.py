"""Delegated callers need both a delegated scope and a directory role (or ownership), as in Entra:
Global Administrator, Application Administrator and Cloud Application Administrator manage every app; an
owner manages only its own apps; a user without a role is refused with a message naming the roles. Role
assignments themselves are made by Global or Privileged Role Administrators only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.helpers import DENIED, assert_graph_error
from graph.world import APP_ADMIN, CLOUD_APP_ADMIN, GLOBAL_ADMIN, PRIVILEGED_ROLE_ADMIN, GraphWorld, auth
from tenantry.directory.models import Group, User
from tenantry.directory.roles import find_role

ASSIGNMENTS = "/v1.0/roleManagement/directory/roleAssignments"


def role_id(name: str) -> str:
    """A built-in role's template id."""
    role = find_role(name)
    assert role is not None
    return role.id


@pytest.mark.parametrize("role", [GLOBAL_ADMIN, APP_ADMIN, CLOUD_APP_ADMIN])
def test_app_management_roles_manage_any_app(graph: GraphWorld, client: Any, role: str) -> None:
    """Each role can create, read, add a secret to, update and delete any app of the tenant."""
    token = graph.user_token(graph.new_user("admin", role))
    someone_elses = graph.new_app("not-mine")
    listed = client.get(f"/v1.0/applications?$select=id&$filter=appId eq '{someone_elses.app_id}'", headers=auth(token))
    assert listed.status_code == 200 and someone_elses.id in {a["id"] for a in listed.json()["value"]}
    added = client.post(f"/v1.0/applications/{someone_elses.id}/addPassword", headers=auth(token), json={})
    assert added.status_code == 200, added.text
    graph.sensitive.add(added.json()["secretText"])
    patched = client.patch(
        f"/v1.0/applications/{someone_elses.id}", headers=auth(token), json={"displayName": "renamed"}
    )
    assert patched.status_code == 204, patched.text
    created = client.post("/v1.0/applications", headers=auth(token), json={"displayName": f"{role} app"})
    assert created.status_code == 201, created.text
    deleted = client.delete(f"/v1.0/applications/{created.json()['id']}", headers=auth(token))
    assert deleted.status_code == 204


def test_owner_manages_own_app_only(graph: GraphWorld, client: Any) -> None:
    """An owner without a role may read and rotate its app's secrets; any other app is 403 naming the roles."""
    owner = graph.new_user("owner")
    mine, theirs = graph.new_app("owned"), graph.new_app("foreign")
    graph.services.apps.add_owner(mine, owner.id)
    token = graph.user_token(owner)
    assert client.get(f"/v1.0/applications/{mine.id}", headers=auth(token)).status_code == 200
    added = client.post(f"/v1.0/applications/{mine.id}/addPassword", headers=auth(token), json={})
    assert added.status_code == 200, added.text
    graph.sensitive.add(added.json()["secretText"])
    listed = client.get("/v1.0/applications", headers=auth(token)).json()["value"]
    assert [a["id"] for a in listed] == [mine.id]
    refused = client.post(f"/v1.0/applications/{theirs.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(refused, 403, DENIED)
    assert "Application Administrator" in error["message"] and "ownership of the application" in error["message"]


def test_user_without_role_cannot_list_or_create(graph: GraphWorld, client: Any) -> None:
    """No role, no ownership: listing and creating are 403 naming the roles that would allow them."""
    token = graph.user_token(graph.new_user("plain"))
    error = assert_graph_error(
        client.get("/v1.0/applications", headers=auth(token)), 403, "Authorization_RequestDenied"
    )
    assert "Global Reader" in error["message"] and "Cloud Application Administrator" in error["message"]
    created = client.post("/v1.0/applications", headers=auth(token), json={"displayName": "x"})
    error = assert_graph_error(created, 403, DENIED)
    assert "Application Administrator" in error["message"]


def test_role_without_scope_is_403_naming_the_scopes(graph: GraphWorld, client: Any) -> None:
    """A Global Administrator's token that only carries `User.Read` cannot manage apps (scope ∧ role)."""
    token = graph.user_token(graph.new_user("scoped", GLOBAL_ADMIN), "User.Read", reader=True)
    app = graph.new_app()
    refused = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(refused, 403, DENIED)
    assert "Application.ReadWrite.All" in error["message"] and "Directory.AccessAsUser.All" in error["message"]
    assert client.get("/v1.0/organization", headers=auth(token)).status_code == 200


@pytest.mark.parametrize("role", [GLOBAL_ADMIN, PRIVILEGED_ROLE_ADMIN])
def test_role_admins_assign_and_remove_roles(graph: GraphWorld, client: Any, role: str) -> None:
    """Global and Privileged Role Administrators assign a role over Graph; it then takes effect."""
    token = graph.user_token(graph.new_user("role-admin", role), "Directory.AccessAsUser.All")
    member = graph.new_user("member")
    body = {"principalId": member.id, "roleDefinitionId": role_id(APP_ADMIN), "directoryScopeId": "/"}
    created = client.post(ASSIGNMENTS, headers=auth(token), json=body)
    assert created.status_code == 201, created.text
    assignment = created.json()
    assert (assignment["principalId"], assignment["directoryScopeId"]) == (member.id, "/")
    member_token = graph.user_token(member)
    assert client.get("/v1.0/applications", headers=auth(member_token)).status_code == 200
    listed = client.get(f"{ASSIGNMENTS}?$filter=principalId eq '{member.id}'", headers=auth(token)).json()
    assert [a["id"] for a in listed["value"]] == [assignment["id"]]
    duplicate = client.post(ASSIGNMENTS, headers=auth(token), json=body)
    assert_graph_error(duplicate, 409, "Request_MultipleObjectsWithSameKeyValue")
    assert client.delete(f"{ASSIGNMENTS}/{assignment['id']}", headers=auth(token)).status_code == 204
    assert_graph_error(
        client.get(f"{ASSIGNMENTS}/{assignment['id']}", headers=auth(token)), 404, "Request_ResourceNotFound"
    )


def test_application_administrator_cannot_assign_roles(graph: GraphWorld, client: Any) -> None:
    """Managing apps does not include managing roles: 403 naming Global and Privileged Role Administrator."""
    token = graph.user_token(graph.new_user("app-admin", APP_ADMIN), "Directory.AccessAsUser.All")
    body = {"principalId": graph.new_user("x").id, "roleDefinitionId": role_id(GLOBAL_ADMIN)}
    error = assert_graph_error(
        client.post(ASSIGNMENTS, headers=auth(token), json=body), 403, "Authorization_RequestDenied"
    )
    assert "Global Administrator" in error["message"] and "Privileged Role Administrator" in error["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"principalId": "00000000-0000-0000-0000-00000000000a", "roleDefinitionId": "Global Administrator"}, 404),
        ({"principalId": "not-a-guid", "roleDefinitionId": "Global Administrator"}, 404),
        ({"principalId": "{member}", "roleDefinitionId": "Chief Wizard"}, 404),
        ({"principalId": "{member}", "roleDefinitionId": "Global Administrator", "directoryScopeId": "/apps"}, 400),
    ],
)
def test_bad_role_assignments(graph: GraphWorld, client: Any, body: dict[str, str], status: int) -> None:
    """Unknown principals and roles are 404; only tenant-wide scope "/" is supported (400)."""
    token = graph.user_token(graph.new_user("ga", GLOBAL_ADMIN), "Directory.AccessAsUser.All")
    member = graph.new_user("target")
    filled = {k: v.replace("{member}", member.id) for k, v in body.items()}
    response = client.post(ASSIGNMENTS, headers=auth(token), json=filled)
    assert response.status_code == status, response.text


def new_group(graph: GraphWorld, *members: User, role_assignable: bool) -> Group:
    """A fresh security group of the suite's tenant (role-assignable or not), with these direct members."""
    group = Group(
        str(uuid.uuid4()),
        graph.tenant.id,
        f"group-{uuid.uuid4().hex[:6]}",
        datetime.now(UTC),
        is_assignable_to_role=role_assignable,
    )
    with graph.services.store.transaction(write=True) as unit:
        unit.add_group(group)
        for member in members:
            unit.add_group_member(graph.tenant.id, group.id, member.id)
    return group


def test_roles_are_assigned_to_role_assignable_groups_only(graph: GraphWorld, client: Any) -> None:
    """A group not created role-assignable cannot hold a role (400 saying so); a role-assignable one can."""
    token = graph.user_token(graph.new_user("assigner", GLOBAL_ADMIN), "Directory.AccessAsUser.All")
    plain, assignable = new_group(graph, role_assignable=False), new_group(graph, role_assignable=True)
    body = {"principalId": plain.id, "roleDefinitionId": role_id(APP_ADMIN), "directoryScopeId": "/"}
    refused = client.post(ASSIGNMENTS, headers=auth(token), json=body)
    assert "not role-assignable" in assert_graph_error(refused, 400, "Request_BadRequest")["message"]
    assigned = client.post(ASSIGNMENTS, headers=auth(token), json={**body, "principalId": assignable.id})
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["principalId"] == assignable.id


def test_members_of_a_role_assignable_group_hold_its_roles(graph: GraphWorld, client: Any) -> None:
    """A direct member of a group holding Application Administrator manages apps; a member of a plain group
    (whose role assignment the directory refuses) does not; `roles_of_principal` says the same."""
    member, outsider = graph.new_user("member"), graph.new_user("outsider")
    group = new_group(graph, member, role_assignable=True)
    graph.roles.assign_role(graph.tenant.id, group.id, APP_ADMIN)
    created = client.post("/v1.0/applications", headers=auth(graph.user_token(member)), json={"displayName": "x"})
    assert created.status_code == 201, created.text
    refused = client.post("/v1.0/applications", headers=auth(graph.user_token(outsider)), json={"displayName": "x"})
    assert_graph_error(refused, 403, DENIED)
    assert graph.services.authorizer.roles_of_principal(graph.tenant.id, member.id) == (find_role(APP_ADMIN),)
