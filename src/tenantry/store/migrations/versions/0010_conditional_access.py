"""conditional access policies and named locations (issue 12 §4)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 19:10:00.000000

- `ca_policies`: one row per policy of a tenant; `state` is Graph's (`enabled`, `disabled`,
  `enabledForReportingButNotEnforced`); `conditions` and `grant_controls` hold the Graph-shaped documents.
- `named_locations`: IP ranges (CIDR, JSON list; `is_trusted`) or countries (JSON list) of a tenant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "ca_policies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("display_name", sa.String(256), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("grant_controls", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_ca_policies_tenant_id", "ca_policies", ["tenant_id"])
    op.create_table(
        "named_locations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("display_name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ip_ranges", sa.JSON(), nullable=False),
        sa.Column("is_trusted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("include_unknown_countries", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_named_locations_tenant_id", "named_locations", ["tenant_id"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index("ix_named_locations_tenant_id", table_name="named_locations")
    op.drop_table("named_locations")
    op.drop_index("ix_ca_policies_tenant_id", table_name="ca_policies")
    op.drop_table("ca_policies")
