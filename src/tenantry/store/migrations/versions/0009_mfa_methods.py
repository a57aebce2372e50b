"""authentication methods for MFA: TOTP and Temporary Access Pass (issue 12 §3)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:35:00.000000

- `user_auth_methods`: one row per method of a user. `type` is `softwareOath` (an authenticator app: the
  TOTP secret sealed under the master key in `sealed_secret`, the last accepted time step in `last_used_step`
  so that a code is never accepted twice) or `temporaryAccessPass` (the SHA-256 of the pass in `pass_hash`,
  never the pass; `start_at`, `lifetime_minutes`, `usable_once`, `used_at`).
- `user_mfa_requirements`: a user's per-user MFA state (Graph's `perUserMfaState`: `enabled` or `enforced`; no
  row means `disabled`): such a user without an authenticator app sets one up after the password.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "user_auth_methods",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary(), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column("pass_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifetime_minutes", sa.Integer(), nullable=True),
        sa.Column("usable_once", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_user_auth_methods_user_id", "user_auth_methods", ["user_id"])
    op.create_table(
        "user_mfa_requirements",
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("user_mfa_requirements")
    op.drop_index("ix_user_auth_methods_user_id", table_name="user_auth_methods")
    op.drop_table("user_auth_methods")
