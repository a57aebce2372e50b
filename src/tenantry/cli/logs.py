"""`tenantry logs audit`: the directory audit log (who changed what, when, under which correlation id)."""

from __future__ import annotations

from typing import Any

import typer

from tenantry.audit.models import AuditRecord
from tenantry.cli.common import get_tenant
from tenantry.cli.context import audit_log, services
from tenantry.cli.output import JSON_OPTION, print_json, print_table
from tenantry.cli.views import iso

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
