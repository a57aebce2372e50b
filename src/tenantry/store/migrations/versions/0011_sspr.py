"""self-service password reset: settings, resets in progress, registration state, attempt counters

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 19:00:00.000000

- `user_auth_methods.email_address`: the address of an e-mail authentication method (Graph `emailMethods`),
  where SSPR mails its one-time code. Security questions are rows of `type` `securityQuestion`: the question
  in `display_name`, a keyed hash of the normalised answer in `pass_hash`.
- `sspr_policies`: a tenant's SSPR settings (no row: SSPR off).
- `sspr_flows`: resets in progress, by the SHA-256 of their handle; the e-mail code as a keyed hash.
- `sspr_registrations`: when a user last confirmed their methods, and until when "Remind me later" holds.
- `sspr_rate_counters`: fixed-window attempt counters keyed by a keyed hash (per user, per address).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the column and create the tables."""
    with op.batch_alter_table("user_auth_methods") as batch:
        batch.add_column(sa.Column("email_address", sa.String(320), nullable=True))
    op.create_table(
        "sspr_policies",
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("group_id", sa.String(36), nullable=True),
        sa.Column("methods_required", sa.Integer(), nullable=False),
        sa.Column("methods", sa.String(128), nullable=False),
        sa.Column("questions_to_register", sa.Integer(), nullable=False),
        sa.Column("questions_to_reset", sa.Integer(), nullable=False),
        sa.Column("require_registration", sa.Boolean(), nullable=False),
        sa.Column("reconfirm_days", sa.Integer(), nullable=False),
        sa.Column("skip_days", sa.Integer(), nullable=False),
        sa.Column("notify_admins", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "sspr_flows",
        sa.Column("handle_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("upn", sa.String(256), nullable=False),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("verified", sa.String(128), nullable=False, server_default=""),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("code_expires_at", WHEN, nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_sspr_flows_expires_at", "sspr_flows", ["expires_at"])
    op.create_table(
        "sspr_registrations",
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("confirmed_at", WHEN, nullable=True),
        sa.Column("snoozed_until", WHEN, nullable=True),
    )
    op.create_table(
        "sspr_rate_counters",
        sa.Column("key", sa.LargeBinary(32), primary_key=True),
        sa.Column("window_start", WHEN, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables and the column."""
    op.drop_table("sspr_rate_counters")
    op.drop_table("sspr_registrations")
    op.drop_index("ix_sspr_flows_expires_at", table_name="sspr_flows")
    op.drop_table("sspr_flows")
    op.drop_table("sspr_policies")
    with op.batch_alter_table("user_auth_methods") as batch:
        batch.drop_column("email_address")
