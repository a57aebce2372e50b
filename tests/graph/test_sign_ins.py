"""Graph `auditLogs/signIns` (issue 12 §5, entra-reference §7.1): the token endpoint's refusals and
successes, newest first, filtered by `status/errorCode`, `userPrincipalName`, `appId` and `createdDateTime`,
paged with `@odata.nextLink`; read with `AuditLog.Read.All` or a reader role, refused otherwise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from graph.helpers import assert_graph_error
from graph.world import GLOBAL_ADMIN, GraphWorld, auth
from tenantry.common.ids import new_guid
from tenantry.signins.models import AppliedPolicy, EventType, SignInEntry

READ = "AuditLog.Read.All"


def record(graph: GraphWorld, minutes_ago: int, **fields: Any) -> SignInEntry:
    """A sign-in of the graph tenant `minutes_ago` minutes ago, queued on the log."""
    entry = SignInEntry(
        id=new_guid(),
        created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        tenant_id=graph.tenant.id,
        event_type=EventType.INTERACTIVE_USER,
        **fields,
    )
    graph.services.sign_ins.record(entry)
    return entry


def listed(client: Any, token: str, query: str) -> list[dict[str, Any]]:
    """The entries a query lists (first page)."""
    response = client.get(f"/v1.0/auditLogs/signIns?{query}", headers=auth(token))
    assert response.status_code == 200, response.text
    values: list[dict[str, Any]] = response.json()["value"]
    return values


def test_a_refused_client_is_found_by_its_error_code(graph: GraphWorld, client: Any) -> None:
    """A wrong secret (7000215) sent with a `client-request-id` is listed under that code and id."""
    app, _secret = graph.daemon()
    correlation = new_guid()
    form = {"grant_type": "client_credentials", "client_id": app.app_id, "client_secret": "wrong-" + "x" * 30}
    form["scope"] = "https://graph.microsoft.com/.default"
    refused = client.post(graph.token_url(), data=form, headers={"client-request-id": correlation})
    assert refused.status_code == 401
    graph.services.sign_ins.flush()
    found = listed(client, graph.app_token(READ), "$filter=status/errorCode eq 7000215")
    [entry] = [e for e in found if e["correlationId"] == correlation]
    assert entry["appId"] == app.app_id and entry["appDisplayName"] == app.display_name
    assert entry["status"]["errorCode"] == 7000215 and entry["status"]["failureReason"]
    assert entry["isInteractive"] is False and entry["conditionalAccessStatus"] == "notApplied"
    assert entry["appliedConditionalAccessPolicies"] == []
    assert entry["createdDateTime"].endswith("Z")
    one = client.get(f"/v1.0/auditLogs/signIns/{entry['id']}", headers=auth(graph.app_token(READ)))
    assert one.status_code == 200 and one.json()["correlationId"] == correlation


def test_filters_order_and_paging(graph: GraphWorld, client: Any) -> None:
    """Newest first; each filter alone and a date range; `$top` pages with a next link."""
    upn, app_id = f"filtered-{uuid.uuid4().hex[:6]}@{graph.tenant.domains[0]}", new_guid()
    old = record(graph, 50, user_principal_name=upn, app_id=app_id, status_error_code=50126, failure_reason="x")
    mid = record(graph, 30, user_principal_name=upn, app_id=new_guid())
    new = record(graph, 10, user_principal_name=upn, app_id=app_id)
    graph.services.sign_ins.flush()
    token = graph.app_token(READ)
    by_user = listed(client, token, f"$filter=userPrincipalName eq '{upn}'")
    assert [e["id"] for e in by_user] == [new.id, mid.id, old.id]
    by_app = listed(client, token, f"$filter=appId eq '{app_id}'")
    assert [e["id"] for e in by_app] == [new.id, old.id]
    failures = listed(client, token, f"$filter=userPrincipalName eq '{upn}' and status/errorCode eq 50126")
    assert [e["id"] for e in failures] == [old.id]
    since, until = (quote((datetime.now(UTC) - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")) for m in (40, 20))
    in_range = f"$filter=createdDateTime ge {since} and createdDateTime le {until} and userPrincipalName eq '{upn}'"
    assert [e["id"] for e in listed(client, token, in_range)] == [mid.id]
    page = client.get(f"/v1.0/auditLogs/signIns?$filter=userPrincipalName eq '{upn}'&$top=2", headers=auth(token))
    body = page.json()
    assert [e["id"] for e in body["value"]] == [new.id, mid.id]
    rest = client.get(body["@odata.nextLink"], headers=auth(token)).json()
    assert [e["id"] for e in rest["value"]] == [old.id]


def test_who_may_read_the_sign_in_log(graph: GraphWorld, client: Any) -> None:
    """A reader role (here Reports Reader, and Global Administrator) may; an app without
    AuditLog.Read.All and a user without a reader role get 403; an unknown id is 404."""
    for role in ("Reports Reader", GLOBAL_ADMIN):
        token = graph.user_token(graph.new_user("log-reader", role), "Directory.AccessAsUser.All")
        assert client.get("/v1.0/auditLogs/signIns", headers=auth(token)).status_code == 200
    plain = graph.user_token(graph.new_user("log-nobody"), "Directory.AccessAsUser.All")
    assert_graph_error(client.get("/v1.0/auditLogs/signIns", headers=auth(plain)), 403, "Authorization_RequestDenied")
    app_only = graph.app_token("User.Read.All")
    assert client.get("/v1.0/auditLogs/signIns", headers=auth(app_only)).status_code == 403
    missing = client.get(f"/v1.0/auditLogs/signIns/{new_guid()}", headers=auth(graph.app_token(READ)))
    assert missing.status_code == 404


def test_conditional_access_lines_are_listed(graph: GraphWorld, client: Any) -> None:
    """An entry's policies come out in Graph's `appliedConditionalAccessPolicy` shape, found by errorCode."""
    policy = AppliedPolicy(new_guid(), "Block contractors", "failure", ("block",))
    report = AppliedPolicy(new_guid(), "MFA everywhere (report-only)", "reportOnlyInterrupted", ("mfa",))
    entry = record(
        graph,
        1,
        status_error_code=53003,
        conditional_access_status="failure",
        applied_conditional_access_policies=(policy, report),
    )
    graph.services.sign_ins.flush()
    [found] = [
        e for e in listed(client, graph.app_token(READ), "$filter=status/errorCode eq 53003") if e["id"] == entry.id
    ]
    assert found["conditionalAccessStatus"] == "failure"
    assert found["appliedConditionalAccessPolicies"] == [
        {
            "id": policy.id,
            "displayName": "Block contractors",
            "enforcedGrantControls": ["block"],
            "enforcedSessionControls": [],
            "result": "failure",
        },
        {
            "id": report.id,
            "displayName": "MFA everywhere (report-only)",
            "enforcedGrantControls": ["mfa"],
            "enforcedSessionControls": [],
            "result": "reportOnlyInterrupted",
        },
    ]
