"""hours: the provider's time logged against handoffs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hours_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("logged_by", sa.String(length=32), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hours_org_at", "hours_logs", ["organisation_id", "logged_at"])
    op.create_index("ix_hours_handoff", "hours_logs", ["handoff_id"])


def downgrade() -> None:
    op.drop_index("ix_hours_handoff", table_name="hours_logs")
    op.drop_index("ix_hours_org_at", table_name="hours_logs")
    op.drop_table("hours_logs")
