"""signoff_version: a counter every matrix change set and confirmation moves on

`/owner` and `/tandem matrix` show each area's sign-off. Read-only commands keep each
organisation's change sets in memory and check this one integer, read with the
organisation's row beside `matrix_version` and `leave_version`, to know they are still what
the database holds.

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-02 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never batch mode: on SQLite a batch rebuilds `organisations`, and
# dropping the old table would cascade to every row that refers to it.
def upgrade() -> None:
    op.add_column("organisations", sa.Column("signoff_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("organisations", "signoff_version")
