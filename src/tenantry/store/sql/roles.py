"""Directory role assignments in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.exc import IntegrityError

from tenantry.common.clock import as_utc
from tenantry.directory.repository import RoleAssignmentExistsError
from tenantry.directory.roles import RoleAssignment
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import role_assignments


def _assignment(row: Row[Any]) -> RoleAssignment:
    return RoleAssignment(
        id=row.id,
        tenant_id=row.tenant_id,
        principal_id=row.principal_id,
        role_definition_id=row.role_definition_id,
        created_at=as_utc(row.created_at),
        directory_scope_id=row.directory_scope_id,
    )


class SqlRoleAssignments(SqlBase):
    """Implements `RoleAssignmentRepository`."""

    def add_role_assignment(self, assignment: RoleAssignment) -> None:
        """Insert; the same (principal, role, scope) in the tenant raises `RoleAssignmentExistsError`."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(role_assignments).values(
                        id=assignment.id,
                        tenant_id=assignment.tenant_id,
                        principal_id=assignment.principal_id,
                        role_definition_id=assignment.role_definition_id,
                        directory_scope_id=assignment.directory_scope_id,
                        created_at=assignment.created_at,
                    )
                )
        except IntegrityError as exc:
            t = role_assignments
            held = self._conn.execute(
                select(t.c.id).where(
                    t.c.tenant_id == assignment.tenant_id,
                    t.c.principal_id == assignment.principal_id,
                    t.c.role_definition_id == assignment.role_definition_id,
                    t.c.directory_scope_id == assignment.directory_scope_id,
                )
            ).first()
            if held is None:
                raise  # not a duplicate (e.g. an unknown tenant, or an id already used)
            raise RoleAssignmentExistsError(
                f"principal '{assignment.principal_id}' already holds role '{assignment.role_definition_id}'"
            ) from exc

    def remove_role_assignment(self, tenant_id: str, assignment_id: str) -> bool:
        """Delete one assignment of the tenant."""
        t = role_assignments
        result = self._conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == assignment_id))
        return result.rowcount > 0

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        """The tenant's assignments (of one principal when given), oldest first."""
        t = role_assignments
        query = select(t).where(t.c.tenant_id == tenant_id)
        if principal_id is not None:
            query = query.where(t.c.principal_id == principal_id)
        rows = self._conn.execute(query.order_by(t.c.created_at, t.c.id))
        return [_assignment(r) for r in rows]
