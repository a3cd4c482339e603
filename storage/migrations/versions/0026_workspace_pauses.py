"""workspace_pauses: a workspace Slack answered 429 for takes no posts before its Retry-After

The outbox pauses only that workspace, and stores the pause so every replica and every later
tick honours it while other workspaces keep posting.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-02 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_pauses",
        sa.Column("team", sa.String(32), primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workspace_pauses")
