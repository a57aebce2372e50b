"""Graph `directoryAudit`: one audit record as `auditLogs/directoryAudits` lists it."""

from __future__ import annotations

from pydantic import Field

from tenantry.audit.models import Actor, AuditRecord, Target
from tenantry.graph.schemas.common import GraphDateTime, GraphModel

LOGGED_BY = "Core Directory"


class UserIdentity(GraphModel):
    """`initiatedBy.user`."""

    id: str | None = None
    display_name: str | None = None
    user_principal_name: str | None = None
    ip_address: str | None = None


class AppIdentity(GraphModel):
    """`initiatedBy.app` (also used for the CLI, with its own name)."""

    app_id: str | None = None
    display_name: str | None = None
    service_principal_id: str | None = None
    service_principal_name: str | None = None


class InitiatedBy(GraphModel):
    """Who made the change: exactly one of `user` and `app` is set."""

    user: UserIdentity | None = None
    app: AppIdentity | None = None


class ModifiedProperty(GraphModel):
    """A property a change touched (values as strings, never secrets)."""

    display_name: str | None = None
    old_value: str | None = None
    new_value: str | None = None


class TargetResource(GraphModel):
    """What a change touched."""

    id: str | None = None
    display_name: str | None = None
    type: str | None = None
    user_principal_name: str | None = None
    group_type: str | None = None
    modified_properties: list[ModifiedProperty] = Field(default_factory=list)


class KeyValue(GraphModel):
    """`additionalDetails` entry."""

    key: str | None = None
    value: str | None = None


class DirectoryAuditResource(GraphModel):
    """Graph `directoryAudit`."""

    id: str | None = None
    category: str | None = None
    correlation_id: str | None = None
    result: str | None = None
    result_reason: str | None = None
    activity_display_name: str | None = None
    activity_date_time: GraphDateTime | None = None
    logged_by_service: str | None = None
    operation_type: str | None = None
    initiated_by: InitiatedBy | None = None
    target_resources: list[TargetResource] = Field(default_factory=list)
    additional_details: list[KeyValue] = Field(default_factory=list)


def _initiated_by(actor: Actor) -> InitiatedBy:
    if actor.kind == "user":
        return InitiatedBy(user=UserIdentity(id=actor.id, user_principal_name=actor.display_name))
    return InitiatedBy(app=AppIdentity(app_id=actor.id, display_name=actor.display_name))


def _target(target: Target) -> TargetResource:
    modified = [ModifiedProperty(display_name=p, old_value=old, new_value=new) for p, old, new in target.modified]
    upn = target.display_name if target.type == "User" else None
    return TargetResource(
        id=target.id,
        display_name=target.display_name,
        type=target.type,
        user_principal_name=upn,
        modified_properties=modified,
    )


def audit_view(entry: AuditRecord) -> DirectoryAuditResource:
    """One record; `detail` becomes `additionalDetails` (values as text)."""
    return DirectoryAuditResource(
        id=entry.id,
        category=entry.category,
        correlation_id=entry.correlation_id,
        result=entry.result,
        result_reason="",
        activity_display_name=entry.activity,
        activity_date_time=entry.created_at,
        logged_by_service=LOGGED_BY,
        operation_type=entry.operation_type,
        initiated_by=_initiated_by(entry.actor),
        target_resources=[_target(t) for t in entry.targets],
        additional_details=[KeyValue(key=str(k), value=str(v)) for k, v in entry.detail.items()],
    )
