"""Hours logged against handoffs, as `bot.contract.hours.HoursEntry` values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.contract.hours import HoursEntry
from storage import contract_models as orm

_LOG = orm.HoursLog


def add(session: Session, org_id: int, entry: HoursEntry) -> None:
    session.add(
        _LOG(
            organisation_id=org_id,
            handoff_id=entry.handoff,
            minutes=entry.minutes,
            logged_by=entry.by,
            logged_at=entry.at,
            note=entry.note,
        )
    )
    session.flush()


def on_handoff(session: Session, org_id: int, handoff_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(_LOG.minutes), 0)).where(
            _LOG.organisation_id == org_id, _LOG.handoff_id == handoff_id
        )
    )
    return int(total or 0)


def logged(session: Session, org_id: int, start: datetime | None, end: datetime | None) -> list[HoursEntry]:
    query = select(_LOG).where(_LOG.organisation_id == org_id)
    if start is not None:
        query = query.where(_LOG.logged_at >= start)
    if end is not None:
        query = query.where(_LOG.logged_at < end)
    return [
        HoursEntry(r.handoff_id, r.minutes, r.logged_by, r.logged_at, r.note)
        for r in session.scalars(query.order_by(_LOG.logged_at, _LOG.id))
    ]
