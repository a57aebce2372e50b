"""Service principals (CRUD and `appRoleAssignedTo`), `organization`, role definitions, and the directory
audit log (newest first, with the actor and the client's correlation id of every change)."""

from __future__ import annotations

from typing import Any

from graph.helpers import BAD_REQUEST, assert_graph_error
from graph.world import GLOBAL_ADMIN, GraphWorld, auth
from support.tokens import decode_unverified
from tenantry.apps.first_party import GRAPH_APP_ID

READ_ALL_ROLE_ID = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"  # Graph's Application.Read.All app role


def graph_sp_id(client: Any, token: str) -> str:
    """Microsoft Graph's service principal in the caller's tenant."""
    found = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'", headers=auth(token)).json()
    return str(found["value"][0]["id"])


def test_granting_a_graph_app_role_through_app_role_assigned_to(graph: GraphWorld, client: Any) -> None:
    """POSTing an assignment on Graph's SP grants an application permission: the next token carries it."""
    admin = graph.app_token("AppRoleAssignment.ReadWrite.All")
    daemon, secret = graph.daemon()
    sp = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{daemon.app_id}'", headers=auth(admin)).json()["value"][
        0
    ]
    resource = graph_sp_id(client, admin)
    body = {"principalId": sp["id"], "resourceId": resource, "appRoleId": READ_ALL_ROLE_ID}
    created = client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(admin), json=body)
    assert created.status_code == 201, created.text
    grant = created.json()
    assert (grant["principalType"], grant["principalDisplayName"], grant["resourceDisplayName"]) == (
        "ServicePrincipal",
        daemon.display_name,
        "Microsoft Graph",
    )
    again = client.post(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(admin), json=body)
    assert_graph_error(again, 400, BAD_REQUEST)
    listed = client.get(f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo", headers=auth(admin)).json()
    assert grant["id"] in {a["id"] for a in listed["value"]}
    claims = decode_unverified(graph.msal_token(daemon.app_id, secret)["access_token"]).claims
    assert claims["roles"] == ["Application.Read.All"]


def test_app_role_assignment_refuses_unknown_roles(graph: GraphWorld, client: Any) -> None:
    """An appRoleId the resource does not expose, or a resourceId other than the URL's, is a 400."""
    admin = graph.app_token("AppRoleAssignment.ReadWrite.All")
    resource = graph_sp_id(client, admin)
    daemon, _ = graph.daemon()
    sp = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{daemon.app_id}'", headers=auth(admin)).json()["value"][
        0
    ]
    url = f"/v1.0/servicePrincipals/{resource}/appRoleAssignedTo"
    unknown = {"principalId": sp["id"], "resourceId": resource, "appRoleId": "00000000-0000-0000-0000-0000000000bb"}
    assert_graph_error(client.post(url, headers=auth(admin), json=unknown), 400, BAD_REQUEST)
    elsewhere = {**unknown, "resourceId": sp["id"], "appRoleId": READ_ALL_ROLE_ID}
    assert_graph_error(client.post(url, headers=auth(admin), json=elsewhere), 400, BAD_REQUEST)


def test_service_principal_lifecycle(graph: GraphWorld, client: Any) -> None:
    """Delete an app's SP, create it again with POST {appId}, a second POST conflicts, PATCH disables it
    (its client then cannot get tokens), and Graph's own SP cannot be deleted."""
    admin = graph.app_token("Application.ReadWrite.All")
    daemon, secret = graph.daemon()
    sp = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{daemon.app_id}'", headers=auth(admin)).json()["value"][
        0
    ]
    assert client.delete(f"/v1.0/servicePrincipals/{sp['id']}", headers=auth(admin)).status_code == 204
    created = client.post("/v1.0/servicePrincipals", headers=auth(admin), json={"appId": daemon.app_id})
    assert created.status_code == 201, created.text
    new_sp = created.json()
    assert (new_sp["appId"], new_sp["accountEnabled"], new_sp["servicePrincipalNames"]) == (
        daemon.app_id,
        True,
        [daemon.app_id],
    )
    conflict = client.post("/v1.0/servicePrincipals", headers=auth(admin), json={"appId": daemon.app_id})
    assert_graph_error(conflict, 409, "Request_MultipleObjectsWithSameKeyValue")
    patch = {"accountEnabled": False}
    assert client.patch(f"/v1.0/servicePrincipals/{new_sp['id']}", headers=auth(admin), json=patch).status_code == 204
    assert client.get(f"/v1.0/servicePrincipals/{new_sp['id']}", headers=auth(admin)).json()["accountEnabled"] is False
    assert graph.msal_token(daemon.app_id, secret)["error_codes"] == [7000112]
    graph_sp = graph_sp_id(client, admin)
    assert_graph_error(
        client.delete(f"/v1.0/servicePrincipals/{graph_sp}", headers=auth(admin)), 400, "Request_BadRequest"
    )


def test_organization_and_role_definitions(graph: GraphWorld, client: Any) -> None:
    """`organization` is the token's tenant; role definitions are the built-in roles with Entra's ids."""
    token = graph.user_token(graph.new_user("reader"))
    org = client.get("/v1.0/organization", headers=auth(token)).json()
    assert org["@odata.context"].endswith("/v1.0/$metadata#organization")
    [tenant] = org["value"]
    assert (tenant["id"], tenant["displayName"]) == (graph.tenant.id, graph.tenant.display_name)
    assert tenant["verifiedDomains"] == [
        {
            "capabilities": "None",
            "isDefault": True,
            "isInitial": True,
            "name": graph.tenant.domains[0],
            "type": "Managed",
        }
    ]
    roles = client.get("/v1.0/roleManagement/directory/roleDefinitions?$select=displayName", headers=auth(token)).json()
    assert {"Global Administrator", "Application Administrator", "Cloud Application Administrator"} <= {
        r["displayName"] for r in roles["value"]
    }
    one = client.get(
        "/v1.0/roleManagement/directory/roleDefinitions/62e90394-69f5-4237-9190-012177145e10", headers=auth(token)
    ).json()
    assert (one["displayName"], one["isBuiltIn"], one["templateId"]) == ("Global Administrator", True, one["id"])


def test_audit_log_records_graph_changes_newest_first(graph: GraphWorld, client: Any) -> None:
    """Each change is recorded with its activity, actor and the caller's `client-request-id`; the log
    lists newest first, filters on OData, and never holds a secret value."""
    admin_user = graph.new_user("auditor", GLOBAL_ADMIN)
    token = graph.user_token(admin_user, "Directory.AccessAsUser.All")
    headers = auth(token, **{"client-request-id": "audit-correlation-42"})
    app = client.post("/v1.0/applications", headers=headers, json={"displayName": "Audited"}).json()
    added = client.post(f"/v1.0/applications/{app['id']}/addPassword", headers=headers, json={}).json()
    graph.sensitive.add(added["secretText"])
    query = "$filter=correlationId eq 'audit-correlation-42'"
    audits = client.get(f"/v1.0/auditLogs/directoryAudits?{query}", headers=auth(token))
    assert audits.status_code == 200, audits.text
    records = audits.json()["value"]
    activities = [r["activityDisplayName"] for r in records]
    assert activities[0] == "Update application – Certificates and secrets management"
    assert "Add application" in activities and "Add owner to application" in activities
    newest = records[0]
    assert newest["initiatedBy"]["user"]["id"] == admin_user.id
    assert newest["initiatedBy"]["user"]["userPrincipalName"] == admin_user.user_principal_name
    assert newest["targetResources"][0]["id"] == app["id"]
    assert newest["loggedByService"] == "Core Directory" and newest["result"] == "success"
    assert added["secretText"] not in audits.text
    by_user = client.get(
        f"/v1.0/auditLogs/directoryAudits?$filter=initiatedBy/user/id eq '{admin_user.id}'&$count=true",
        headers=auth(token),
    ).json()
    assert by_user["@odata.count"] == len(records)
    one = client.get(f"/v1.0/auditLogs/directoryAudits/{newest['id']}", headers=auth(token)).json()
    assert one["id"] == newest["id"]
