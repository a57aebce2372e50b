"""sign-in logs (issue 12 §5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:35:00.000000
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision keeps its place in the chain until its tables land."""


def downgrade() -> None:
    """Nothing to undo."""
