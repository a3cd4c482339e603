"""digest_quiet: what the daily digest does on a morning with nothing to report

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("digest_quiet", sa.String(8), nullable=False, server_default="post"))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("digest_quiet")
