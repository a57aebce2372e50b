"""An audit record, shaped like Graph's `directoryAudit`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: a user (by UPN), an app (by appId), or the CLI/system (`kind="system"`)."""

    kind: str
    id: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """What was changed; `modified` lists (property, old, new) without secret values."""

    type: str
    id: str
    display_name: str = ""
    modified: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One directory change."""

    id: str
    tenant_id: str
    activity: str
    category: str
    operation_type: str
    result: str
    actor: Actor
    targets: tuple[Target, ...]
    correlation_id: str
    created_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
