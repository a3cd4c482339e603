"""Hours logged against handoffs, as `bot.contract.hours.HoursEntry` values."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.orm import Session

from bot.contract.hours import HoursEntry
from storage import contract_models as orm
from storage.sql import move_on

_LOG = orm.HoursLog
_LOGS = cast(Table, _LOG.__table__)
_VERSION = select(orm.HoursVersion.version).where(orm.HoursVersion.organisation_id == bindparam("org_id"))


def add(session: Session, org_id: int, entry: HoursEntry) -> None:
    """Log the entry and move the organisation's hours version on, in one transaction. As
    `handoff_repo.moved_on`, the version's row stays locked until it commits, so versions
    count up in commit order and no reader keeps an answer a later commit changes under a
    version it has seen."""
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
    move_on(session, "hours_versions", org_id)


def version(session: Session | Connection, org_id: int) -> int:
    """The organisation's hours version (0: nothing logged yet); through a session, or a plain
    connection for `storage.quick`."""
    return session.scalar(_VERSION, {"org_id": org_id}) or 0


def on_handoff(session: Session, org_id: int, handoff_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(_LOG.minutes), 0)).where(
            _LOG.organisation_id == org_id, _LOG.handoff_id == handoff_id
        )
    )
    return int(total or 0)


def logged(
    session: Session | Connection, org_id: int, start: datetime | None, end: datetime | None
) -> list[HoursEntry]:
    """Entries logged in [start, end), oldest first; through a session, or a plain connection
    for `storage.quick`."""
    c = _LOGS.c
    query = select(c.handoff_id, c.minutes, c.logged_by, c.logged_at, c.note).where(c.organisation_id == org_id)
    if start is not None:
        query = query.where(c.logged_at >= start)
    if end is not None:
        query = query.where(c.logged_at < end)
    return [HoursEntry(*row) for row in session.execute(query.order_by(c.logged_at, c.id))]
