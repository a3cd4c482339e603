"""outbox: a post may belong to the whole deployment (organisation_id NULL) and name its workspace

The weekly fleet digest reports on every organisation and belongs to none, so its outbox row
has no organisation and names the provider's workspace it is posted in (`team`). It goes
through the same claims, leases, retries, pacing and holds as every other post.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("team", sa.String(32), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE organisation_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("team")
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
