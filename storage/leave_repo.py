"""Leave and cover in the database, as `bot.ownership.cover.LeavePeriod` values.

Every read of "who is away now" (each `/owner`, each handoff) goes through one prepared
statement on `ix_leave_org_person`'s organisation column; bookings are few per organisation.
Every write moves the organisation's `leave_version` on in the same transaction, which is
what lets read-only commands answer from a copy in memory (`storage.quick`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from bot.ownership.cover import LeavePeriod
from storage import models as orm
from storage.sql import versions_moved

_COLUMNS = (orm.Leave.id, orm.Leave.person, orm.Leave.starts_at, orm.Leave.ends_at, orm.Leave.cover)
_AT = (
    select(*_COLUMNS)
    .where(
        orm.Leave.organisation_id == bindparam("org_id"),
        orm.Leave.starts_at <= bindparam("at"),
        orm.Leave.ends_at > bindparam("at"),
    )
    .order_by(orm.Leave.created_at, orm.Leave.id)
)


_BUMP = (
    update(orm.Organisation)
    .where(orm.Organisation.id == bindparam("org_id"))
    .values(leave_version=orm.Organisation.leave_version + 1)
)


def _period(row) -> LeavePeriod:
    leave_id, person, starts, ends, cover = row
    return LeavePeriod(person, starts, ends, cover, leave_id)


def at(session: Session, org_id: int, when: datetime) -> list[LeavePeriod]:
    return [_period(r) for r in session.execute(_AT, {"org_id": org_id, "at": when})]


def starting(session: Session, org_id: int, now: datetime, within: timedelta) -> list[LeavePeriod]:
    rows = session.execute(
        select(*_COLUMNS).where(
            orm.Leave.organisation_id == org_id, orm.Leave.starts_at > now, orm.Leave.starts_at <= now + within
        )
    )
    return [_period(r) for r in rows]


def overlapping(session: Session, org_id: int, start: datetime, end: datetime | None) -> list[LeavePeriod]:
    """Bookings that overlap [start, end) (no end: everything not over by `start`), by start."""
    query = select(*_COLUMNS).where(orm.Leave.organisation_id == org_id, orm.Leave.ends_at > start)
    if end is not None:
        query = query.where(orm.Leave.starts_at < end)
    return [_period(r) for r in session.execute(query.order_by(orm.Leave.starts_at, orm.Leave.id))]


def _moved_on(session: Session, org_id: int) -> None:
    session.execute(_BUMP, {"org_id": org_id})
    versions_moved(session)


def add(session: Session, org_id: int, period: LeavePeriod, created_by: str, now: datetime) -> int:
    row = orm.Leave(
        organisation_id=org_id,
        person=period.person,
        starts_at=period.starts_at,
        ends_at=period.ends_at,
        cover=period.cover,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _moved_on(session, org_id)
    return row.id


def end(session: Session, org_id: int, leave_id: int, when: datetime) -> None:
    session.execute(
        update(orm.Leave).where(orm.Leave.organisation_id == org_id, orm.Leave.id == leave_id).values(ends_at=when)
    )
    _moved_on(session, org_id)


def cancel(session: Session, org_id: int, leave_id: int) -> None:
    session.execute(delete(orm.Leave).where(orm.Leave.organisation_id == org_id, orm.Leave.id == leave_id))
    _moved_on(session, org_id)
