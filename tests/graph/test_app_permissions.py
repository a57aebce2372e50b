"""App-only callers act with the Graph application permissions in their token's `roles`:
`Application.ReadWrite.All` reaches every app; `Application.ReadWrite.OwnedBy` creates apps (becoming
their owner) and manages only those; `Application.Read.All` reads; no permission, no access."""

from __future__ import annotations

from typing import Any

from graph.helpers import DENIED, assert_graph_error
from graph.world import GraphWorld, auth
from support.tokens import decode_unverified


def test_token_carries_the_granted_permissions(graph: GraphWorld) -> None:
    """MSAL's token for `.default` carries exactly the admin-consented app roles of Graph."""
    token = graph.app_token("Application.ReadWrite.OwnedBy")
    claims = decode_unverified(token).claims
    assert claims["roles"] == ["Application.ReadWrite.OwnedBy"]
    assert claims["aud"] == "https://graph.microsoft.com" and claims["idtyp"] == "app"


def test_read_write_all_manages_every_app(graph: GraphWorld, client: Any) -> None:
    """Every app of the tenant is listed and writable."""
    token = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app("anyone's")
    ids = {a["id"] for a in client.get("/v1.0/applications?$top=999", headers=auth(token)).json()["value"]}
    assert app.id in ids
    added = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    assert added.status_code == 200
    graph.sensitive.add(added.json()["secretText"])


def test_owned_by_creates_owns_and_manages_only_its_apps(graph: GraphWorld, client: Any) -> None:
    """An OwnedBy app creates an app, is listed as its owner, may rotate its secret; other apps are 403
    naming `Application.ReadWrite.All`; its list shows only what it owns."""
    daemon, secret = graph.daemon("Application.ReadWrite.OwnedBy")
    token = graph.msal_token(daemon.app_id, secret)["access_token"]
    created = client.post("/v1.0/applications", headers=auth(token), json={"displayName": "made by a daemon"})
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    owners = client.get(f"/v1.0/applications/{app_id}/owners", headers=auth(token)).json()["value"]
    assert [(o["@odata.type"], o["appId"]) for o in owners] == [("#microsoft.graph.servicePrincipal", daemon.app_id)]
    added = client.post(f"/v1.0/applications/{app_id}/addPassword", headers=auth(token), json={})
    assert added.status_code == 200
    graph.sensitive.add(added.json()["secretText"])
    listed = client.get("/v1.0/applications", headers=auth(token)).json()["value"]
    assert [a["id"] for a in listed] == [app_id]

    other = graph.new_app("not owned")
    refused = client.post(f"/v1.0/applications/{other.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(refused, 403, DENIED)
    assert "Application.ReadWrite.All" in error["message"] and "Application.ReadWrite.OwnedBy" in error["message"]


def test_read_all_reads_but_cannot_write(graph: GraphWorld, client: Any) -> None:
    """`Application.Read.All` lists apps and service principals, and is refused a new secret."""
    token = graph.app_token("Application.Read.All")
    app = graph.new_app()
    assert client.get("/v1.0/applications", headers=auth(token)).status_code == 200
    assert client.get("/v1.0/servicePrincipals", headers=auth(token)).status_code == 200
    refused = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    assert_graph_error(refused, 403, DENIED)


def test_no_permission_no_access(graph: GraphWorld, client: Any) -> None:
    """A daemon with no Graph permission at all gets 403 on reads."""
    token = graph.app_token()
    error = assert_graph_error(
        client.get("/v1.0/applications", headers=auth(token)), 403, "Authorization_RequestDenied"
    )
    assert "Application.Read.All" in error["message"]


def test_role_management_and_audit_permissions(graph: GraphWorld, client: Any) -> None:
    """`RoleManagement.ReadWrite.Directory` assigns roles; `AuditLog.Read.All` reads the audit log."""
    roles_token = graph.app_token("RoleManagement.ReadWrite.Directory")
    member = graph.new_user("made-reader")
    body = {"principalId": member.id, "roleDefinitionId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451"}
    created = client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(roles_token), json=body)
    assert created.status_code == 201, created.text
    audit_token = graph.app_token("AuditLog.Read.All")
    audits = client.get("/v1.0/auditLogs/directoryAudits?$top=5", headers=auth(audit_token))
    assert audits.status_code == 200
    assert_graph_error(client.get("/v1.0/applications", headers=auth(audit_token)), 403, DENIED)


def test_owned_by_without_apps_lists_nothing(graph: GraphWorld, client: Any) -> None:
    """An `OwnedBy` app that owns nothing yet gets an empty list, not a 403."""
    daemon, secret = graph.daemon("Application.ReadWrite.OwnedBy")
    token = graph.msal_token(daemon.app_id, secret)["access_token"]
    response = client.get("/v1.0/applications", headers=auth(token))
    assert response.status_code == 200 and response.json()["value"] == []
