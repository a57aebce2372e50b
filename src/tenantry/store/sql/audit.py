"""The audit log in SQL: actor and targets as JSON, everything queried or filtered on as columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, insert, select

from tenantry.audit.models import Actor, AuditRecord, Target
from tenantry.common.clock import as_utc
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import audit_records


def _actor_json(actor: Actor) -> dict[str, str]:
    return {"kind": actor.kind, "id": actor.id, "displayName": actor.display_name}


def _target_json(target: Target) -> dict[str, Any]:
    return {
        "type": target.type,
        "id": target.id,
        "displayName": target.display_name,
        "modified": [list(m) for m in target.modified],
    }


def _target(doc: dict[str, Any]) -> Target:
    modified = tuple((str(p), str(old), str(new)) for p, old, new in doc.get("modified", ()))
    return Target(doc["type"], doc["id"], doc.get("displayName", ""), modified)


def _record(row: Row[Any]) -> AuditRecord:
    actor: dict[str, Any] = row.actor
    return AuditRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        activity=row.activity,
        category=row.category,
        operation_type=row.operation_type,
        result=row.result,
        actor=Actor(actor["kind"], actor["id"], actor.get("displayName", "")),
        targets=tuple(_target(t) for t in row.targets),
        correlation_id=row.correlation_id,
        created_at=as_utc(row.created_at),
        detail=dict(row.detail),
    )


class SqlAudit(SqlBase):
    """Implements `AuditRepository`."""

    def add_audit_record(self, record: AuditRecord) -> None:
        """Append in the caller's transaction."""
        self._conn.execute(
            insert(audit_records).values(
                id=record.id,
                tenant_id=record.tenant_id,
                activity=record.activity,
                category=record.category,
                operation_type=record.operation_type,
                result=record.result,
                actor=_actor_json(record.actor),
                targets=[_target_json(t) for t in record.targets],
                correlation_id=record.correlation_id,
                detail=record.detail,
                created_at=record.created_at,
            )
        )

    def list_audit_records(self, tenant_id: str, limit: int = 1000) -> list[AuditRecord]:
        """Newest first; records of the same instant newest-inserted first."""
        t = audit_records
        rows = self._conn.execute(
            select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.created_at.desc(), t.c.seq.desc()).limit(limit)
        )
        return [_record(r) for r in rows]
