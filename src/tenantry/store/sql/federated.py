"""Federated identity credentials in SQL (`credentials/federated.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from tenantry.common.clock import as_utc
from tenantry.credentials.federated import FederatedCredential
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import federated_identity_credentials


def _credential(row: Row[Any]) -> FederatedCredential:
    return FederatedCredential(
        row.id,
        row.tenant_id,
        row.application_id,
        row.name,
        row.issuer,
        row.subject,
        tuple(str(a) for a in row.audiences),
        row.description,
        as_utc(row.created_at),
    )


class SqlFederatedCredentials(SqlBase):
    """Implements `FederatedCredentialRepository`."""

    def add_federated_credential(self, credential: FederatedCredential) -> None:
        """Insert one row."""
        self._conn.execute(
            insert(federated_identity_credentials).values(
                id=credential.id,
                tenant_id=credential.tenant_id,
                application_id=credential.application_id,
                name=credential.name,
                issuer=credential.issuer,
                subject=credential.subject,
                audiences=list(credential.audiences),
                description=credential.description,
                created_at=credential.created_at,
            )
        )

    def update_federated_credential(self, credential: FederatedCredential) -> None:
        """Replace the mutable fields."""
        t = federated_identity_credentials
        self._conn.execute(
            update(t)
            .where(t.c.tenant_id == credential.tenant_id, t.c.id == credential.id)
            .values(
                issuer=credential.issuer,
                subject=credential.subject,
                audiences=list(credential.audiences),
                description=credential.description,
            )
        )

    def list_federated_credentials(self, tenant_id: str, application_id: str) -> list[FederatedCredential]:
        """The application's credentials, oldest first."""
        t = federated_identity_credentials
        query = select(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id)
        return [_credential(r) for r in self._conn.execute(query.order_by(t.c.created_at, t.c.id))]

    def delete_federated_credential(self, tenant_id: str, application_id: str, credential_id: str) -> bool:
        """Delete one row."""
        t = federated_identity_credentials
        result = self._conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.application_id == application_id, t.c.id == credential_id)
        )
        return result.rowcount > 0
