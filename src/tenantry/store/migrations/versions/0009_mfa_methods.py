"""authentication methods for MFA: TOTP and Temporary Access Pass (issue 12 §3)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:35:00.000000
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision keeps its place in the chain until its tables land."""


def downgrade() -> None:
    """Nothing to undo."""
