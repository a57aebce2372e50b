"""users' profile and password policies, role-assignable groups, tenant password policies

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:10:00.000000

- `users`: `given_name`, `surname`, `mail_nickname` (Graph `givenName`, `surname`, `mailNickname`) and
  `password_policies` (Graph `passwordPolicies`: `DisablePasswordExpiration`, `DisableStrongPassword`).
- `groups`: `mail_nickname`, `security_enabled`, `mail_enabled` and `is_assignable_to_role` (Graph); existing
  groups are security groups, not mail-enabled, not role-assignable.
- `tenant_password_policies`: a tenant's password validity (days; NULL = never expires, Entra's default for
  new tenants) and its custom banned-password list (a JSON array of terms).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns (all nullable or defaulted) and the policy table."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("given_name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("surname", sa.String(64), nullable=True))
        batch.add_column(sa.Column("mail_nickname", sa.String(64), nullable=True))
        batch.add_column(sa.Column("password_policies", sa.String(64), nullable=True))
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("mail_nickname", sa.String(64), nullable=True))
        batch.add_column(sa.Column("security_enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("mail_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("is_assignable_to_role", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "tenant_password_policies",
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("validity_days", sa.Integer(), nullable=True),
        sa.Column("banned_terms", sa.Text(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_table("tenant_password_policies")
    with op.batch_alter_table("groups") as batch:
        for name in ("is_assignable_to_role", "mail_enabled", "security_enabled", "mail_nickname"):
            batch.drop_column(name)
    with op.batch_alter_table("users") as batch:
        for name in ("password_policies", "mail_nickname", "surname", "given_name"):
            batch.drop_column(name)
