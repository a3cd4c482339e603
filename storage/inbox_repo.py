"""The inbox table (`bot.inbox`): requests recorded before their acknowledgement, taken over
past their lease, finished with their work."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from bot.inbox import MAX_ATTEMPTS, InboxItem
from storage.models import InboxRequest
from storage.sql import insert_if_absent, rowcount

_PENDING = (InboxRequest.state == "pending", InboxRequest.attempts < MAX_ATTEMPTS)


def record(session: Session, item: InboxItem, now: datetime, lease: timedelta) -> bool:
    """True when this call recorded the request (a replay finds it there)."""
    values = {
        "key": item.key,
        "kind": item.kind,
        "team": item.team,
        "work": item.work,
        "payload": item.payload,
        "state": "pending",
        "attempts": 1,
        "received_at": now,
        "lease_until": now + lease,
    }
    return insert_if_absent(session, InboxRequest, values)


def claim(session: Session, now: datetime, lease: timedelta, limit: int) -> list[InboxItem]:
    """Take over pending requests whose lease ran out: each by compare-and-set on its lease,
    so two processes never take the same one."""
    rows = session.scalars(
        select(InboxRequest)
        .where(*_PENDING, InboxRequest.lease_until < now)
        .order_by(InboxRequest.received_at)
        .limit(limit)
    ).all()
    taken = []
    for row in rows:
        won = session.execute(
            update(InboxRequest)
            .where(InboxRequest.key == row.key, InboxRequest.state == "pending", InboxRequest.lease_until < now)
            .values(lease_until=now + lease, attempts=row.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if rowcount(won) == 1:
            taken.append(InboxItem(row.key, row.kind, row.team, row.work, row.payload, row.attempts + 1))
    return taken


def next_lease(session: Session) -> datetime | None:
    """When the soonest pending request's lease runs out."""
    return session.scalar(select(func.min(InboxRequest.lease_until)).where(*_PENDING))


_REQUESTS = cast(Table, InboxRequest.__table__)
# Built once, as Core: every request that writes finishes its row in its own unit of work.
_FINISH = (
    update(_REQUESTS)
    .where(_REQUESTS.c.key == bindparam("request"), _REQUESTS.c.state == "pending")
    .values(state="done", done_at=bindparam("now"))
)


def finish(session: Session, key: str, now: datetime) -> bool:
    """Compare-and-set: True when this call finished the request."""
    return rowcount(session.execute(_FINISH, {"request": key, "now": now})) == 1
