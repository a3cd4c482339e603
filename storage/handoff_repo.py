"""Handoffs in the database, as `bot.handoffs.model.Handoff` values.

Open handoffs are found through `ix_handoffs_open` (organisation, resolved_at IS NULL),
so listing clocks stays an index scan however many closed handoffs pile up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import Handoff
from bot.sla.clock import Pause
from storage import models as orm
from storage.sql import move_on, rowcount


def _pauses(raw: list) -> tuple[Pause, ...]:
    return tuple(Pause(datetime.fromisoformat(s), datetime.fromisoformat(e) if e else None) for s, e in raw)


_HANDOFFS = cast(Table, orm.Handoff.__table__)


def to_domain(row: Any, org_key: str) -> Handoff:
    """From an ORM row or a Core row of `handoffs` (their attributes are the column names)."""
    return Handoff(
        id=row.id,
        organisation=org_key,
        kind=row.kind,
        summary=row.summary,
        details=row.details,
        priority=row.priority,
        requester=row.requester,
        requester_side=row.requester_side,
        target_side=row.target_side,
        target=row.target,
        area=row.area_key,
        assignee=row.assignee,
        status=row.status,
        opened_at=row.opened_at,
        responded_at=row.responded_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        pauses=_pauses(row.pauses),
        channel=row.channel,
        ts=row.ts,
        version=row.version,
        original_target=row.original_target or "",
        original_target_side=row.original_target_side or "",
    )


def _pauses_json(pauses: tuple[Pause, ...]) -> list:
    return [[p.start.isoformat(), p.end.isoformat() if p.end else None] for p in pauses]


# Core, built once: a handoff is opened by every /handoff and stepped by every button press,
# and an ORM entity flushed (or a statement built per call) cost more CPU than the write itself.
_ADD = _HANDOFFS.insert().returning(_HANDOFFS.c.id)
_STEPPED = ("assignee", "status", "target_side", "target", "responded_at", "resolved_at", "resolution", "pauses")
_STEP = (
    update(_HANDOFFS)
    .where(_HANDOFFS.c.id == bindparam("handoff"), _HANDOFFS.c.version == bindparam("seen"))
    .values(
        {
            **{column: bindparam(f"new_{column}") for column in (*_STEPPED, "due_at", "alert_at")},
            "version": _HANDOFFS.c.version + 1,
        }
    )
    .returning(_HANDOFFS.c.version)
)


def add(session: Session, org_id: int, handoff: Handoff, due_at: datetime | None, alert_at: datetime | None) -> int:
    h = handoff
    values = {
        "organisation_id": org_id,
        "kind": h.kind,
        "summary": h.summary,
        "details": h.details,
        "priority": h.priority,
        "requester": h.requester,
        "requester_side": h.requester_side,
        "target_side": h.target_side,
        "target": h.target,
        "original_target": h.original_target,
        "original_target_side": h.original_target_side,
        "area_key": h.area,
        "assignee": h.assignee,
        "status": h.status,
        "opened_at": h.opened_at,
        "responded_at": h.responded_at,
        "resolved_at": h.resolved_at,
        "resolution": h.resolution,
        "pauses": _pauses_json(h.pauses),
        "channel": h.channel,
        "ts": h.ts,
        "due_at": due_at,
        "alert_at": alert_at,
    }
    return session.execute(_ADD, values).scalar_one()


def step(session: Session, handoff: Handoff, due_at: datetime | None, alert_at: datetime | None) -> int | None:
    """Write a step taken on `handoff.version`: the new version, or None if another step got there first.

    One UPDATE … WHERE version = seen: the database decides, whatever the isolation level."""
    h = handoff
    values = {
        "handoff": h.id,
        "seen": h.version,
        "new_assignee": h.assignee,
        "new_status": h.status,
        "new_target_side": h.target_side,
        "new_target": h.target,
        "new_responded_at": h.responded_at,
        "new_resolved_at": h.resolved_at,
        "new_resolution": h.resolution,
        "new_pauses": _pauses_json(h.pauses),
        "new_due_at": due_at,
        "new_alert_at": alert_at,
    }
    return session.execute(_STEP, values).scalar()


_ROOT = update(_HANDOFFS).where(_HANDOFFS.c.id == bindparam("handoff"))
_PLACE = _ROOT.values(channel=bindparam("landed_in"), ts=bindparam("landed_ts"))
_SENDING_ROOT = _ROOT.values(root_sending_until=bindparam("until"))
_SHOW_ROOT = _ROOT.values(root_version=bindparam("shown"), root_sending_until=None)
_SHOW_CURRENT_ROOT = _SHOW_ROOT.where(_HANDOFFS.c.version <= bindparam("shown"))


def place(session: Session, handoff_id: int, channel: str, ts: str) -> None:
    session.execute(_PLACE, {"handoff": handoff_id, "landed_in": channel, "landed_ts": ts})


def sending_root(session: Session, handoff_id: int, until: datetime) -> None:
    session.execute(_SENDING_ROOT, {"handoff": handoff_id, "until": until})


def show_root(session: Session, handoff_id: int, version: int, current_only: bool = False) -> bool:
    """The root shows `version`, and no refresh holds it any more; with `current_only`, only if
    no newer version has been committed (False then: the root is still held, to send that)."""
    query = _SHOW_CURRENT_ROOT if current_only else _SHOW_ROOT
    return rowcount(session.execute(query, {"handoff": handoff_id, "shown": version})) == 1


def reschedule(session: Session, handoff_id: int, due_at: datetime | None, alert_at: datetime | None) -> None:
    """New due and alert instants (the SLA or calendar changed); the handoff itself is untouched."""
    session.execute(update(orm.Handoff).where(orm.Handoff.id == handoff_id).values(due_at=due_at, alert_at=alert_at))


# One handoff's row as a Core select, built once: a scheduler tick reads one per post, and
# ORM entities (and building the statement) cost several times the CPU of the read itself.
_ONE = select(_HANDOFFS).where(_HANDOFFS.c.id == bindparam("handoff"), _HANDOFFS.c.organisation_id == bindparam("org"))
_ONE_LOCKED = _ONE.with_for_update()
_PLACES = select(_HANDOFFS.c.organisation_id, _HANDOFFS.c.id, _HANDOFFS.c.channel, _HANDOFFS.c.ts).where(
    _HANDOFFS.c.id.in_(bindparam("handoffs", expanding=True))
)


def _one(session: Session | Connection, org_id: int, handoff_id: int, lock: bool):
    return session.execute(_ONE_LOCKED if lock else _ONE, {"handoff": handoff_id, "org": org_id}).first()


def get(
    session: Session | Connection, org_id: int, org_key: str, handoff_id: int, lock: bool = False
) -> Handoff | None:
    """Through a session, or a plain connection for `storage.quick`."""
    row = _one(session, org_id, handoff_id, lock)
    return to_domain(row, org_key) if row else None


def root_of(
    session: Session, org_id: int, org_key: str, handoff_id: int
) -> tuple[Handoff, int, datetime | None] | None:
    """The handoff locked for a refresh of its root message, with the version the root shows
    (0: none refreshed yet) and until when a refresh in flight holds it (None: none)."""
    row = _one(session, org_id, handoff_id, lock=True)
    return (to_domain(row, org_key), row.root_version or 0, row.root_sending_until) if row else None


def places(session: Session, handoffs: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[str | None, str | None]]:
    """(channel, ts) of each of these (organisation id, handoff id) that exists, in one query."""
    if not handoffs:
        return {}
    rows = session.execute(_PLACES, {"handoffs": sorted({number for _, number in handoffs})})
    return {(org, number): (channel, ts) for org, number, channel, ts in rows}


def _open(org_id: int):
    return (orm.Handoff.organisation_id == org_id, orm.Handoff.resolved_at.is_(None))


def _only(only: HandoffFilter | None) -> list:
    """The SQL conditions of a listing's filter (none without one)."""
    if only is None:
        return []
    conditions: list = []
    if only.side:
        conditions.append(orm.Handoff.target_side == only.side)
    if only.person:
        conditions.append(or_(orm.Handoff.assignee == only.person, orm.Handoff.requester == only.person))
    if only.breached_at:
        conditions.append(orm.Handoff.due_at < only.breached_at)
    return conditions


def most_urgent(
    session: Session | Connection, org_id: int, org_key: str, limit: int, only: HandoffFilter | None = None
) -> list[Handoff]:
    """Open handoffs by earliest due clock (breached ones are due in the past), undated last;
    through a session, or a plain connection for `storage.quick`.

    Two queries rather than one `ORDER BY due_at IS NULL, …`, so that each reads
    `ix_handoffs_due` in order and stops at `limit` instead of sorting every open handoff.
    """
    dated = list(
        session.execute(
            select(_HANDOFFS)
            .where(*_open(org_id), orm.Handoff.due_at.is_not(None), *_only(only))
            .order_by(orm.Handoff.due_at)
            .limit(limit)
        )
    )
    if len(dated) < limit and not (only and only.breached_at):
        dated += session.execute(
            select(_HANDOFFS)
            .where(*_open(org_id), orm.Handoff.due_at.is_(None), *_only(only))
            .order_by(orm.Handoff.opened_at)
            .limit(limit - len(dated))
        )
    return [to_domain(r, org_key) for r in dated]


def open_after(session: Session, org_id: int, org_key: str, after_id: int, limit: int) -> list[Handoff]:
    """Open handoffs by id, a page at a time (for rescheduling them all)."""
    query = select(orm.Handoff).where(*_open(org_id), orm.Handoff.id > after_id).order_by(orm.Handoff.id).limit(limit)
    return [to_domain(r, org_key) for r in session.scalars(query)]


def count_open(
    session: Session | Connection, org_id: int, now: datetime, only: HandoffFilter | None = None
) -> tuple[int, int]:
    """(open, breached) counts, straight from the index; through a session or a plain connection."""
    where = [*_open(org_id), *_only(only)]
    total = session.scalar(select(func.count()).select_from(orm.Handoff).where(*where)) or 0
    breached = (
        session.scalar(select(func.count()).select_from(orm.Handoff).where(*where, orm.Handoff.due_at < now)) or 0
    )
    return total, breached


def open_due_instants(session: Session | Connection, org_id: int, only: HandoffFilter | None = None) -> list[datetime]:
    """When each open handoff's running clock is due, soonest first (those with none left out):
    enough to count the breached ones at any instant (`storage.quick`)."""
    query = select(orm.Handoff.due_at).where(*_open(org_id), orm.Handoff.due_at.is_not(None), *_only(only))
    return list(session.scalars(query.order_by(orm.Handoff.due_at)))


# App Home's own handoffs as a Core select, built once: read on `storage.quick`'s connection.
_INVOLVING = (
    select(_HANDOFFS)
    .where(
        _HANDOFFS.c.organisation_id == bindparam("org"),
        _HANDOFFS.c.resolved_at.is_(None),
        or_(_HANDOFFS.c.assignee == bindparam("user"), _HANDOFFS.c.requester == bindparam("user")),
    )
    .order_by(_HANDOFFS.c.opened_at.desc())
    .limit(bindparam("limit"))
)


def involving(session: Session | Connection, org_id: int, org_key: str, user: str, limit: int) -> list[Handoff]:
    """Open handoffs assigned to or opened by `user` (App Home); through a session, or a plain
    connection for `storage.quick`."""
    rows = session.execute(_INVOLVING, {"org": org_id, "user": user, "limit": limit})
    return [to_domain(r, org_key) for r in rows]


def since(session: Session, org_id: int, org_key: str, start: datetime) -> list[Handoff]:
    query = (
        select(orm.Handoff)
        .where(orm.Handoff.organisation_id == org_id, orm.Handoff.opened_at >= start)
        .order_by(orm.Handoff.opened_at, orm.Handoff.id)
    )
    return [to_domain(r, org_key) for r in session.scalars(query)]


def open_counts(
    session: Session, org_id: int, now: datetime, ages: list[tuple[str, timedelta | None]]
) -> tuple[dict[str, int], dict[str, int]]:
    """Open handoffs by target side, and by age bucket (bounds are upper limits, None = older)."""
    by_side = dict(
        session.execute(
            select(orm.Handoff.target_side, func.count()).where(*_open(org_id)).group_by(orm.Handoff.target_side)
        ).all()
    )
    by_age, lower = {}, None
    for name, upper in ages:
        conditions = list(_open(org_id))
        if upper is not None:
            conditions.append(orm.Handoff.opened_at > now - upper)
        if lower is not None:
            conditions.append(orm.Handoff.opened_at <= now - lower)
        by_age[name] = session.scalar(select(func.count()).select_from(orm.Handoff).where(*conditions)) or 0
        lower = upper
    return by_side, by_age


def touched_since(session: Session, org_id: int, org_key: str, start: datetime) -> list[Handoff]:
    """Handoffs responded to or resolved since `start`, and every open one (the weekly digest's
    window: an open handoff counts in the week it breached)."""
    query = select(orm.Handoff).where(
        orm.Handoff.organisation_id == org_id,
        or_(orm.Handoff.resolved_at >= start, orm.Handoff.responded_at >= start, orm.Handoff.resolved_at.is_(None)),
    )
    return [to_domain(r, org_key) for r in session.scalars(query)]


def moved_on(session: Session, org_id: int) -> None:
    """Bump the organisation's handoff version, in the transaction that opened or stepped one.

    The row stays locked until that transaction commits, so versions count up in commit
    order and a reader never caches what a later commit changes under a version it has
    seen. The lock only queues the organisation's other handoff writes, which already take
    their turn at its audit chain in the same transaction."""
    move_on(session, "handoff_versions", org_id)
