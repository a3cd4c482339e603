"""indexes for pruning handled events and sent posts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:30:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_processed_events_done_at", "processed_events", ["done_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["status", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_processed_events_done_at", table_name="processed_events")
