"""Storage interface for the audit log; `store/sql/audit.py` implements it."""

from __future__ import annotations

from typing import Protocol

from tenantry.audit.models import AuditRecord


class AuditRepository(Protocol):
    """Append-only audit records."""

    def add_audit_record(self, record: AuditRecord) -> None:
        """Append a record (in the caller's transaction, so the change and its record commit together)."""
        ...

    def list_audit_records(self, tenant_id: str, limit: int = 1000) -> list[AuditRecord]:
        """The tenant's records, newest first."""
        ...
