"""handoff_versions: a counter per organisation that every handoff opened or moved on bumps

`/tandem sla` and `status` keep the open handoffs they list in memory and check this one
integer, read with the organisation's other versions by the query that locates every
request, to know they are still what the database holds. It is a table of its own rather
than a column of `organisations`: a matrix import holds the organisation's row while it
reschedules open handoffs, and a step holds its handoff's row before it bumps, so bumping
the organisation's row could deadlock the two.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_versions",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("handoff_versions")
