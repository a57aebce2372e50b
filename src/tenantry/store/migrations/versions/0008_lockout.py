"""smart lockout state and tenant lockout settings (issue 12 §1)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:35:00.000000

- `tenant_lockout_policies`: a tenant's `lockoutThreshold`, `lockoutDurationInSeconds` and blocked CIDR
  ranges (a JSON array); no row means Entra's defaults (10, 60 s, none).
- `lockout_states`: per (tenant, user, location) failed-attempt counters, lockouts so far, the current
  lockout's end and the last wrong passwords' fingerprints (keyed HMACs).
- `familiar_addresses`: the addresses each user has signed in from successfully.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)


def _user() -> sa.Column[str]:
    return sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "tenant_lockout_policies",
        _tenant(),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("blocked_ranges", sa.Text(), nullable=False, server_default="[]"),
    )
    op.create_table(
        "lockout_states",
        _tenant(),
        _user(),
        sa.Column("location", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fingerprints", sa.Text(), nullable=False),
    )
    op.create_table(
        "familiar_addresses",
        _tenant(),
        _user(),
        sa.Column("address", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_table("familiar_addresses")
    op.drop_table("lockout_states")
    op.drop_table("tenant_lockout_policies")
