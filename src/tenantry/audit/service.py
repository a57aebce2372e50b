"""Reading the directory audit log (Graph `auditLogs/directoryAudits`, `tenantry logs audit`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from tenantry.audit.models import AuditRecord
from tenantry.audit.repository import AuditRepository

MAX_RECORDS = 10_000


class AuditService:
    """Read-only access; records are written by the services that make the changes (style P14)."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[AuditRepository]]) -> None:
        self._transaction = transaction

    def list_records(self, tenant_id: str, limit: int = MAX_RECORDS) -> list[AuditRecord]:
        """The tenant's records, newest first (Graph lists directory audits newest first)."""
        with self._transaction() as unit:
            return unit.list_audit_records(tenant_id, limit)

    def find_record(self, tenant_id: str, record_id: str) -> AuditRecord | None:
        """One record of the tenant by id."""
        return next((r for r in self.list_records(tenant_id) if r.id == record_id), None)
