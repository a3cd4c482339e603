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


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("team", sa.String(32), nullable=True))
    with op.batch_alter_table("sides") as batch:
        batch.add_column(sa.Column("teams", sa.JSON(), nullable=False, server_default="[]"))
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
    with op.batch_alter_table("sides") as batch:
        batch.drop_column("teams")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("team")
