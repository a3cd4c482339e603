"""Overflow requests held for approval, as `bot.contract.approval.OverflowRequest` values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from bot.contract.approval import Hold, OverflowRequest
from storage import contract_models as orm
from storage.sql import rowcount

_ROW = orm.OverflowRequest


def _hold(hold: Hold) -> dict:
    return {"reasons": list(hold.reasons), "closest": hold.closest, "period": hold.period}


def _domain(row: Any, org_key: str) -> OverflowRequest:
    """From an ORM row or a Core row of the table (the same names)."""
    hold = row.hold or {}
    return OverflowRequest(
        id=row.id,
        organisation=org_key,
        requester=row.requester,
        summary=row.summary,
        priority=row.priority,
        hold=Hold(tuple(hold.get("reasons") or ()), hold.get("closest"), hold.get("period")),
        approvers=tuple(row.approvers or ()),
        requested_at=row.requested_at,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        handoff=row.handoff_id,
        channel=row.channel,
        ts=row.ts,
    )


def add(session: Session, org_id: int, request: OverflowRequest) -> int:
    row = _ROW(
        organisation_id=org_id,
        requester=request.requester,
        summary=request.summary,
        priority=request.priority,
        hold=_hold(request.hold),
        approvers=list(request.approvers),
        requested_at=request.requested_at,
        status=request.status,
        reason=request.reason,
    )
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, org_id: int, org_key: str, request_id: int, lock: bool = False) -> OverflowRequest | None:
    query = select(_ROW).where(_ROW.id == request_id, _ROW.organisation_id == org_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    return _domain(row, org_key) if row else None


def pending(sql: Session | Connection, org_id: int, org_key: str) -> list[OverflowRequest]:
    """The requests still waiting for a decision, oldest first (the index on organisation and
    status finds them); on a session or a bare connection alike (`storage.quick`)."""
    table = _ROW.__table__
    query = select(table).where(table.c.organisation_id == org_id, table.c.status == "pending").order_by(table.c.id)
    return [_domain(row, org_key) for row in sql.execute(query)]


def placed(session: Session, request_id: int, channel: str, ts: str) -> None:
    session.execute(update(_ROW).where(_ROW.id == request_id).values(channel=channel, ts=ts))


def decide(session: Session, request: OverflowRequest) -> bool:
    """Write the decision if the request is still pending: one UPDATE … WHERE status = 'pending',
    so of two presses at once exactly one is written, whatever the isolation level."""
    result = session.execute(
        update(_ROW)
        .where(_ROW.id == request.id, _ROW.status == "pending")
        .values(
            status=request.status,
            decided_by=request.decided_by,
            decided_at=request.decided_at,
            reason=request.reason,
            handoff_id=request.handoff,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def released(session: Session, request_id: int, handoff_id: int) -> None:
    session.execute(update(_ROW).where(_ROW.id == request_id).values(handoff_id=handoff_id))
