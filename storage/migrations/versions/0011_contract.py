"""contract: the matrix's contract section (block hours, overflow scope, approver)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id"),
    )


def downgrade() -> None:
    op.drop_table("contracts")
