"""smart lockout state and tenant lockout settings (issue 12 §1)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:35:00.000000
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision keeps its place in the chain until its tables land."""


def downgrade() -> None:
    """Nothing to undo."""
