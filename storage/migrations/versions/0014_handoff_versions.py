"""handoffs: a version for every step (compare-and-set), and ids that are never reused

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 09:00:00

On SQLite the table is rebuilt with AUTOINCREMENT: without it a rolled-back insert hands
its id to the next handoff, and a message posted for the first would act on the second.
PostgreSQL's sequences never hand an id out twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("handoffs", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.add_column(version)
    else:
        op.add_column("handoffs", version)


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("version")
