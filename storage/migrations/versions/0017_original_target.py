"""original_target: who a handoff was first sent to, kept apart from its current target

A hand back rewrites `target` to the requester, so the export lost who was asked. Existing
rows are filled from the audit trail: the target their `handoff.open` event recorded, and,
for a handoff that was handed back, the side other than the requester's (a hand back is
only allowed away from the other side).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 23:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("original_target", sa.String(64), nullable=True))
        batch.add_column(sa.Column("original_target_side", sa.String(16), nullable=True))
    connection = op.get_bind()
    opened: dict[tuple[int | None, str], str] = {}
    handed_back: set[tuple[int | None, str]] = set()
    events = sa.text(
        "SELECT organisation_id, kind, subject, detail FROM audit_events "
        "WHERE kind IN ('handoff.open', 'handoff.hand_back')"
    )
    for org, kind, subject, detail in connection.execute(events):
        key = (org, subject)
        if kind == "handoff.hand_back":
            handed_back.add(key)
            continue
        detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
        if detail.get("target"):
            opened[key] = str(detail["target"])
    rows = connection.execute(
        sa.text("SELECT id, organisation_id, requester_side, target, target_side FROM handoffs")
    ).all()
    for handoff_id, org, requester_side, target, target_side in rows:
        key = (org, f"handoff #{handoff_id}")
        side = ("internal" if requester_side == "provider" else "provider") if key in handed_back else target_side
        connection.execute(
            sa.text("UPDATE handoffs SET original_target = :target, original_target_side = :side WHERE id = :id"),
            {"target": opened.get(key, target), "side": side, "id": handoff_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("original_target_side")
        batch.drop_column("original_target")
