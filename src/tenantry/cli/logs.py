"""`tenantry logs audit`: the directory audit log (who changed what, when, under which correlation id);
`tenantry logs signins`: the sign-in log (who signed in to which app, or was refused with which code)."""

from __future__ import annotations

from typing import Any

import typer

from tenantry.audit.models import AuditRecord
from tenantry.cli.common import get_tenant
from tenantry.cli.context import audit_log, services
from tenantry.cli.output import JSON_OPTION, print_json, print_table
from tenantry.cli.views import iso
from tenantry.signins.models import SignInEntry, SignInQuery

app = typer.Typer(help="Read logs.", no_args_is_help=True)


def audit_view(entry: AuditRecord) -> dict[str, Any]:
    """Graph `directoryAudit`, trimmed to what Tenantry records."""
    actor = entry.actor
    initiated: dict[str, Any] = (
        {"user": {"id": actor.id, "userPrincipalName": actor.id, "displayName": actor.display_name}}
        if actor.kind == "user"
        else {"app": {"appId": actor.id, "displayName": actor.display_name, "kind": actor.kind}}
    )
    return {
        "id": entry.id,
        "tenantId": entry.tenant_id,
        "activityDateTime": iso(entry.created_at),
        "activityDisplayName": entry.activity,
        "category": entry.category,
        "operationType": entry.operation_type,
        "result": entry.result,
        "correlationId": entry.correlation_id,
        "initiatedBy": initiated,
        "targetResources": [
            {
                "id": t.id,
                "type": t.type,
                "displayName": t.display_name,
                "modifiedProperties": [{"displayName": p, "oldValue": o, "newValue": n} for p, o, n in t.modified],
            }
            for t in entry.targets
        ],
    }


@app.command("audit")
def audit(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant (default: every tenant)."),
    top: int = typer.Option(50, "--top", min=1, max=10_000, help="At most this many records, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Directory audit records, newest first."""
    tenant_ids = [get_tenant(tenant).id] if tenant else [t.id for t in services().directory.list_tenants()]
    entries = sorted(
        (e for t in tenant_ids for e in audit_log().list_records(t, top)), key=lambda e: e.created_at, reverse=True
    )[:top]
    views = [audit_view(e) for e in entries]
    if as_json:
        print_json(views)
        return
    rows = [
        (
            v["activityDateTime"],
            v["activityDisplayName"],
            next(iter(v["initiatedBy"].values()))["displayName"],
            ", ".join(t["displayName"] or t["id"] for t in v["targetResources"]),
            v["correlationId"],
        )
        for v in views
    ]
    print_table("Directory audit log", ("when", "activity", "by", "targets", "correlationId"), rows)


def sign_in_view(entry: SignInEntry) -> dict[str, Any]:
    """Graph `signIn`, trimmed to what Tenantry records."""
    return {
        "id": entry.id,
        "tenantId": entry.tenant_id,
        "createdDateTime": iso(entry.created_at),
        "userPrincipalName": entry.user_principal_name or None,
        "userId": entry.user_id or None,
        "appId": entry.app_id or None,
        "appDisplayName": entry.app_display_name or None,
        "resourceDisplayName": entry.resource_display_name or None,
        "servicePrincipalName": entry.service_principal_name or None,
        "ipAddress": entry.ip_address or None,
        "clientAppUsed": entry.client_app_used or None,
        "correlationId": entry.correlation_id,
        "isInteractive": entry.is_interactive,
        "status": {"errorCode": entry.status_error_code, "failureReason": entry.failure_reason or None},
        "conditionalAccessStatus": entry.conditional_access_status,
        "appliedConditionalAccessPolicies": [
            {
                "id": p.id,
                "displayName": p.display_name or None,
                "result": p.result or None,
                "enforcedGrantControls": list(p.enforced_grant_controls),
            }
            for p in entry.applied_conditional_access_policies
        ],
    }


@app.command("signins")
def signins(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant (default: every tenant)."),
    error: int | None = typer.Option(None, "--error", help="Only this AADSTS code (0: successes)."),
    user: str | None = typer.Option(None, "--user", help="Only this userPrincipalName."),
    app_id: str | None = typer.Option(None, "--app", help="Only this client appId."),
    top: int = typer.Option(50, "--top", min=1, max=10_000, help="At most this many entries, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Sign-ins and refused sign-ins, newest first."""
    svc = services()
    tenant_ids = [get_tenant(tenant).id] if tenant else [t.id for t in svc.directory.list_tenants()]
    queries = (SignInQuery(t, error_code=error, user_principal_name=user, app_id=app_id, limit=top) for t in tenant_ids)
    entries = sorted((e for q in queries for e in svc.sign_ins.list(q)), key=lambda e: e.created_at, reverse=True)
    views = [sign_in_view(e) for e in entries[:top]]
    if as_json:
        print_json(views)
        return
    rows = [
        (
            v["createdDateTime"],
            v["userPrincipalName"] or v["servicePrincipalName"] or "",
            v["appDisplayName"] or v["appId"] or "",
            str(v["status"]["errorCode"]),
            v["ipAddress"] or "",
            v["correlationId"],
        )
        for v in views
    ]
    print_table("Sign-in log", ("when", "who", "app", "error", "ip", "correlationId"), rows)
