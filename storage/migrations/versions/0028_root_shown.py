"""handoffs.root_version: the version the handoff's root message in Slack shows

Replicas refresh a root message with `chat.update`, and two of them may do it at once.
Each refresh takes the root for a moment (root_sending_until, a lease, so that no database
lock is held while Slack is called), sends only what is not older than this column, and then
moves it on: an older version never overwrites a newer.

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-02 18:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("root_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("handoffs", sa.Column("root_sending_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("handoffs", "root_sending_until")
    op.drop_column("handoffs", "root_version")
