"""outbox.retry_at: a failed post waits before its next try; held posts wait for the bot to join

A post Slack refused for a passing reason is tried again after a back-off that grows from a
minute to hours, instead of on every tick and then never again. A post to a channel the bot
is not in (or that is gone) is `held` until the bot is invited, rather than failing.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("retry_at")
