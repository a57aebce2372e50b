"""sign-in logs (issue 12 §5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:35:00.000000

- `sign_in_logs`: one row per sign-in or refused sign-in (Graph `signIn`), listed per tenant newest first
  and purged by age.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False)


def upgrade() -> None:
    """Create the table and its two indexes (tenant + time for listing, time for purging)."""
    op.create_table(
        "sign_in_logs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _text("event_type", 32),
        sa.Column("error_code", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=False),
        _text("user_id", 64),
        _text("user_principal_name", 256),
        _text("user_display_name", 256),
        _text("app_id", 64),
        _text("app_display_name", 256),
        _text("resource_id", 256),
        _text("resource_display_name", 256),
        _text("service_principal_id", 64),
        _text("service_principal_name", 256),
        _text("ip_address", 64),
        _text("client_app_used", 64),
        _text("correlation_id", 128),
        sa.Column("is_interactive", sa.Boolean(), nullable=False),
        _text("conditional_access_status", 32),
        sa.Column("applied_policies", sa.JSON(), nullable=False),
        _text("authentication_requirement", 64),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sign_in_logs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sign_in_logs")),
    )
    op.create_index("ix_sign_in_logs_tenant_time", "sign_in_logs", ["tenant_id", "created_at"])
    op.create_index("ix_sign_in_logs_created_at", "sign_in_logs", ["created_at"])


def downgrade() -> None:
    """Drop the table (its indexes go with it)."""
    op.drop_table("sign_in_logs")
