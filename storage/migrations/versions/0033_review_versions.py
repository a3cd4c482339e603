"""review_versions: a counter per organisation that every review completion and every
review timer added or removed bumps

`/tandem reviews` keeps the organisation's completions and timer starts in memory and checks
this one integer, read with the organisation's other versions by the query that locates
every request, to know they are still what the database holds. A table of its own, as
`handoff_versions` is (0030): a matrix import holds the organisation's row while it
replaces the timers.

Revision ID: 0033
Revises: 0030
Create Date: 2026-12-03 13:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_versions",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("review_versions")
