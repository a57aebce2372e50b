"""`record(...)`: one call a service makes inside its own transaction for every change it audits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tenantry.audit.events import AuditActivity, category_of
from tenantry.audit.models import Actor, AuditRecord, Target
from tenantry.audit.repository import AuditRepository
from tenantry.common.ids import new_guid

SYSTEM = Actor("system", "tenantry-cli", "Tenantry CLI")


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who is acting, when, and under which correlation id: the adapter (Graph, CLI) builds one per
    request and hands it to the service, which stamps every record it writes with it."""

    actor: Actor
    now: datetime
    correlation_id: str = field(default_factory=new_guid)


def record(
    repo: AuditRepository,
    ctx: AuditContext,
    tenant_id: str,
    activity: AuditActivity,
    targets: tuple[Target, ...],
    operation: str,
) -> AuditRecord:
    """Append the audit record of a successful change (`operation`: Add, Update, Delete, Assign…)."""
    entry = AuditRecord(
        id=new_guid(),
        tenant_id=tenant_id,
        activity=activity.value,
        category=category_of(activity),
        operation_type=operation,
        result="success",
        actor=ctx.actor,
        targets=targets,
        correlation_id=ctx.correlation_id,
        created_at=ctx.now,
    )
    repo.add_audit_record(entry)
    return entry
