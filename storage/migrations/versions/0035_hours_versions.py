"""hours_versions: a counter per organisation that every hours entry logged bumps

`/tandem hours` keeps its rendered answer in memory and checks this one integer, read on the
quick connection after the query that locates the request, to know the hours logged are still
what the database holds. A table of its own, as `review_versions` is (0033): a matrix import
holds the organisation's row while it runs, and a logging must not wait for it.

Revision ID: 0035
Revises: 0033
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hours_versions",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("hours_versions")
