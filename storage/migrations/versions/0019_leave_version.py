"""leave_version: a counter every leave or cover change moves on, beside matrix_version

Read-only commands keep each organisation's current leave in memory and check this one
integer, read with the organisation's row, to know it is still what the database holds.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never batch mode: on SQLite a batch rebuilds `organisations`, and
# dropping the old table would cascade to every row that refers to it.
def upgrade() -> None:
    op.add_column("organisations", sa.Column("leave_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("organisations", "leave_version")
