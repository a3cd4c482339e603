"""audit chain: each organisation's audit events hash-chained, and the chain's head

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

Events recorded before this revision are chained in the order they were written (time,
then id), so the log verifies from its first event.
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from bot.audit.chain import GENESIS, event_hash

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_heads",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    _chain_existing_events()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_audit_org_seq", ["organisation_id", "seq"])


def _chain_existing_events() -> None:
    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("kind", sa.String),
        sa.column("subject", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    heads = sa.table(
        "audit_heads",
        sa.column("organisation_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
    )
    organisations = sa.table("organisations", sa.column("id", sa.Integer), sa.column("key", sa.String))
    for org_id, org_key in bind.execute(sa.select(organisations.c.id, organisations.c.key)).all():
        rows = bind.execute(
            sa.select(events).where(events.c.organisation_id == org_id).order_by(events.c.at, events.c.id)
        ).all()
        prev, seq = GENESIS, 0
        for row in rows:
            seq += 1
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
            digest = event_hash(org_key, seq, at, row.actor, row.kind, row.subject, row.detail or {}, prev)
            bind.execute(
                events.update()
                .where(events.c.id == row.id)
                .values(seq=seq, prev_hash=prev, hash=digest, detail=row.detail or {})
            )
            prev = digest
        if seq:
            bind.execute(heads.insert().values(organisation_id=org_id, seq=seq, hash=prev))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_org_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_heads")
