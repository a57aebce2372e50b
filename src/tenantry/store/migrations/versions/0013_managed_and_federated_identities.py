"""managed identities and federated identity credentials (issue 13 §4, §5)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 19:30:00.000000

- `service_principals.service_principal_type`: Graph's `servicePrincipalType` (`Application`, or
  `ManagedIdentity` for the service principal of a managed identity).
- `managed_identities`: a managed identity's kind, name and Azure resource id (`xms_mirid`), and the SHA-256
  of its two endpoint secrets (the App Service `X-IDENTITY-HEADER`, and the IMDS path secret); the service
  principal is its identity in tokens and in Graph.
- `federated_identity_credentials`: an application's trust in an external issuer's tokens for a subject.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
GUID = sa.String(36)


def upgrade() -> None:
    """Add the column and create the tables."""
    # A plain ADD COLUMN (SQLite allows it with a default): no table rebuild under the rows that reference it.
    op.add_column(
        "service_principals",
        sa.Column("service_principal_type", sa.String(32), nullable=False, server_default="Application"),
    )
    op.create_table(
        "managed_identities",
        sa.Column("id", GUID, sa.ForeignKey("service_principals.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tenant_id", GUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("resource_id", sa.String(512), nullable=False),
        sa.Column("header_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("imds_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_managed_identities_tenant_name"),
        sa.UniqueConstraint("header_hash", name="uq_managed_identities_header_hash"),
        sa.UniqueConstraint("imds_hash", name="uq_managed_identities_imds_hash"),
    )
    op.create_table(
        "federated_identity_credentials",
        sa.Column("id", GUID, primary_key=True),
        sa.Column("tenant_id", GUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("application_id", GUID, sa.ForeignKey("applications.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("issuer", sa.String(600), nullable=False),
        sa.Column("subject", sa.String(600), nullable=False),
        sa.Column("audiences", sa.JSON, nullable=False),
        sa.Column("description", sa.String(600), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("tenant_id", "application_id", "name", name="uq_federated_identity_credentials_name"),
    )
    op.create_index(
        "ix_federated_identity_credentials_app", "federated_identity_credentials", ["tenant_id", "application_id"]
    )


def downgrade() -> None:
    """Drop the tables and the column."""
    op.drop_index("ix_federated_identity_credentials_app", table_name="federated_identity_credentials")
    op.drop_table("federated_identity_credentials")
    op.drop_table("managed_identities")
    op.drop_column("service_principals", "service_principal_type")
