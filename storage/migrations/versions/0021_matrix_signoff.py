"""matrix_signoff: changes to who owns what, and each side's confirmation of them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matrix_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("internal_by", sa.String(length=32), nullable=True),
        sa.Column("internal_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_by", sa.String(length=32), nullable=True),
        sa.Column("provider_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_matrix_changes_org_at", "matrix_changes", ["organisation_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_matrix_changes_org_at", table_name="matrix_changes")
    op.drop_table("matrix_changes")
