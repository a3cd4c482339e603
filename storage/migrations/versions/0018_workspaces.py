"""workspaces: the matrix's team, each side's teams, and the team → organisation index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never SQLite's batch copy: rebuilding a parent table drops it, and the
# ON DELETE CASCADE of its children (people, handoffs) would empty them.


def upgrade() -> None:
    op.add_column("organisations", sa.Column("team", sa.String(32), nullable=True))
    op.add_column("sides", sa.Column("teams", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "organisation_teams",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("team", sa.String(32), primary_key=True),
    )
    op.create_index("ix_organisation_teams_team", "organisation_teams", ["team"])


def downgrade() -> None:
    op.drop_index("ix_organisation_teams_team", table_name="organisation_teams")
    op.drop_table("organisation_teams")
    op.drop_column("sides", "teams")
    op.drop_column("organisations", "team")
