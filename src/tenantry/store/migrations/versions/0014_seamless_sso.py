"""seamless SSO by Kerberos (issue 14)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 19:40:00.000000

- `users.on_premises_*`: the on-premises account a Kerberos ticket's client principal maps to (Graph
  `onPremisesUserPrincipalName`, `onPremisesSamAccountName`, `onPremisesSecurityIdentifier`).
- `seamless_sso_keys`: per tenant and realm, the service principal's keys from an imported keytab, each
  sealed under the master key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
GUID = sa.String(36)
_USER_COLUMNS = (
    ("on_premises_user_principal_name", 256),
    ("on_premises_sam_account_name", 64),
    ("on_premises_security_identifier", 256),
)


def upgrade() -> None:
    """Add the user columns (plain ADD COLUMN, nullable) and create the key table."""
    for name, length in _USER_COLUMNS:
        op.add_column("users", sa.Column(name, sa.String(length), nullable=True))
    op.create_table(
        "seamless_sso_keys",
        sa.Column("tenant_id", GUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("realm", sa.String(255), primary_key=True),
        sa.Column("principal", sa.String(255), primary_key=True),
        sa.Column("kvno", sa.Integer, primary_key=True),
        sa.Column("enctype", sa.Integer, primary_key=True),
        sa.Column("sealed_key", sa.LargeBinary, nullable=False),
        sa.Column("imported_at", WHEN, nullable=False),
    )


def downgrade() -> None:
    """Drop the key table and the user columns."""
    op.drop_table("seamless_sso_keys")
    with op.batch_alter_table("users") as batch:
        for name, _ in _USER_COLUMNS:
            batch.drop_column(name)
