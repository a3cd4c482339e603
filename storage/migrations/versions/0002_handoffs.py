"""handoffs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:04:30.511921
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("requester", sa.String(length=32), nullable=False),
        sa.Column("requester_side", sa.String(length=16), nullable=False),
        sa.Column("target_side", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("area_key", sa.String(length=64), nullable=True),
        sa.Column("assignee", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index("ix_handoffs_assignee", ["organisation_id", "assignee", "resolved_at"], unique=False)
        batch_op.create_index("ix_handoffs_message", ["channel", "ts"], unique=False)
        batch_op.create_index("ix_handoffs_open", ["organisation_id", "resolved_at", "opened_at"], unique=False)
        batch_op.create_index("ix_handoffs_requester", ["organisation_id", "requester", "resolved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index("ix_handoffs_requester")
        batch_op.drop_index("ix_handoffs_open")
        batch_op.drop_index("ix_handoffs_message")
        batch_op.drop_index("ix_handoffs_assignee")

    op.drop_table("handoffs")
