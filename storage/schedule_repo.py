"""What the scheduler reads and claims: due timers and SLA alerts, and the outbox.

On PostgreSQL due rows are taken with `FOR UPDATE SKIP LOCKED`, so concurrent ticks share
the work instead of queueing on it; the outbox's unique occurrence key is what makes each
post happen once whatever the number of ticks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from bot.outbox import DueTimer, OutboxItem
from bot.reviews.cadence import Completed
from storage import models as orm
from storage.handoff_repo import to_domain
from storage.sql import insert_absent, insert_if_absent, move_on, rowcount


def _skip_locked(session: Session, query, table):
    """On PostgreSQL, lock the rows taken and pass over rows another tick holds."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=table, skip_locked=True)
    return query


def due_handoff_alerts(session: Session, now: datetime, limit: int):
    query = (
        select(orm.Handoff, orm.Organisation.key)
        .join(orm.Organisation, orm.Organisation.id == orm.Handoff.organisation_id)
        .where(orm.Handoff.alert_at <= now, orm.Handoff.resolved_at.is_(None))
        .order_by(orm.Handoff.alert_at)
        .limit(limit)
    )
    query = _skip_locked(session, query, orm.Handoff)
    return [(org_key, to_domain(row, org_key)) for row, org_key in session.execute(query)]


_HANDOFFS = cast(Table, orm.Handoff.__table__)
_SET_ALERT_AT = update(_HANDOFFS).where(_HANDOFFS.c.id == bindparam("handoff")).values(alert_at=bindparam("at"))


def set_alerts_at(session: Session, alerts: dict[int, datetime | None]) -> None:
    """Each handoff's next alert instant, in one executemany."""
    if alerts:
        session.execute(_SET_ALERT_AT, [{"handoff": h, "at": at} for h, at in alerts.items()])


def due_timers(session: Session, now: datetime, limit: int) -> list[DueTimer]:
    query = (
        select(orm.Timer.id, orm.Organisation.key, orm.Timer.kind, orm.Timer.subject, orm.Timer.since)
        .join(orm.Organisation, orm.Organisation.id == orm.Timer.organisation_id)
        .where(orm.Timer.next_at <= now)
        .order_by(orm.Timer.next_at)
        .limit(limit)
    )
    query = _skip_locked(session, query, orm.Timer)
    return [DueTimer(*row) for row in session.execute(query)]


def set_timer(session: Session, timer_id: int, next_at: datetime | None) -> None:
    session.execute(update(orm.Timer).where(orm.Timer.id == timer_id).values(next_at=next_at))


def timer_starts(session: Session, org_id: int) -> dict[tuple[str, str], datetime]:
    return {
        (kind, subject): since
        for kind, subject, since in session.execute(
            select(orm.Timer.kind, orm.Timer.subject, orm.Timer.since).where(orm.Timer.organisation_id == org_id)
        )
    }


def timer_start(session: Session, org_id: int, kind: str, subject: str) -> datetime | None:
    return session.scalar(
        select(orm.Timer.since).where(
            orm.Timer.organisation_id == org_id, orm.Timer.kind == kind, orm.Timer.subject == subject
        )
    )


def replace_timers(
    session: Session, org_id: int, timers: dict[tuple[str, str], datetime | None], now: datetime
) -> None:
    """Make the organisation's timers exactly `timers` ((kind, subject) -> next_at); new ones start now."""
    existing = {
        (t.kind, t.subject): t for t in session.scalars(select(orm.Timer).where(orm.Timer.organisation_id == org_id))
    }
    for key, old in existing.items():
        if key not in timers:
            session.delete(old)
    for (kind, subject), next_at in timers.items():
        row = existing.get((kind, subject))
        if row is None:
            session.add(orm.Timer(organisation_id=org_id, kind=kind, subject=subject, next_at=next_at, since=now))
        else:
            row.next_at = next_at
    if existing.keys() != timers.keys():
        reviews_moved_on(session, org_id)


def set_timers(session: Session, org_id: int, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None:
    """Set just these timers ((kind, subject) -> next_at); one that does not exist yet starts now."""
    started = False
    for (kind, subject), next_at in timers.items():
        changed = session.execute(
            update(orm.Timer)
            .where(orm.Timer.organisation_id == org_id, orm.Timer.kind == kind, orm.Timer.subject == subject)
            .values(next_at=next_at)
        )
        if rowcount(changed) == 0:
            session.add(orm.Timer(organisation_id=org_id, kind=kind, subject=subject, next_at=next_at, since=now))
            started = True
    if started:
        reviews_moved_on(session, org_id)


def enqueue_all(session: Session, rows: list[tuple[int | None, str, str, dict, str | None]], now: datetime) -> set[str]:
    """Claim these (organisation id, key, kind, payload, team) occurrences; the keys that were new.

    Each is made a microsecond after the one before: claims take the oldest first, so the
    posts of one tick go out in the order given (a first-response breach before the
    resolution breach that came after it), not in the order of their keys."""
    return {
        key
        for (key,) in insert_absent(
            session,
            orm.Outbox,
            [
                {
                    "key": key,
                    "organisation_id": org_id,
                    "kind": kind,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now + timedelta(microseconds=order),
                    "team": team,
                }
                for order, (org_id, key, kind, payload, team) in enumerate(rows)
            ],
        )
    }


_OUTBOX = cast(Table, orm.Outbox.__table__)
_ORGS = cast(Table, orm.Organisation.__table__)
_TEAM = func.coalesce(_OUTBOX.c.team, _ORGS.c.team, "")  # a deployment's post names its own
# Core, built once, as the sent mark below: a request that writes claims its posts right after
# its commit, and the ORM's entities and unit-of-work flush cost more CPU than the two statements.
_OUTBOX_ROWS = select(
    _OUTBOX.c.key, _ORGS.c.key, _TEAM, _OUTBOX.c.kind, _OUTBOX.c.payload, _OUTBOX.c.attempts, _OUTBOX.c.status
).select_from(_OUTBOX.outerjoin(_ORGS, _ORGS.c.id == _OUTBOX.c.organisation_id))
_TAKE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.key.in_(bindparam("keys", expanding=True)))
    .values(status="sending", lease_until=bindparam("until"), attempts=_OUTBOX.c.attempts + 1)
)


def _claim(session: Session, query, now: datetime, lease: timedelta, params: dict | None = None) -> list[OutboxItem]:
    rows = session.execute(query, params).all()
    if rows:
        session.execute(_TAKE, {"keys": [row[0] for row in rows], "until": now + lease})
    # an earlier try may have landed: a lapsed send, or one that failed after reaching Slack
    return [
        OutboxItem(key, org_key or "", kind, dict(payload), attempts, status == "sending" or attempts > 0, team)
        for key, org_key, team, kind, payload, attempts, status in rows
    ]


def claim_deliveries(session: Session, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]:
    """Take pending posts whose retry time has come, and sends whose lease ran out, marking
    them sending under a new lease: oldest first, none of a workspace Slack asked to wait."""
    outbox, pauses = _OUTBOX.c, orm.WorkspacePause
    pending = (outbox.status == "pending") & (or_(outbox.retry_at.is_(None), outbox.retry_at <= now))
    lapsed = (outbox.status == "sending") & (outbox.lease_until < now)
    query = (
        _OUTBOX_ROWS.outerjoin(pauses, pauses.team == _TEAM)
        .where(or_(pending, lapsed), or_(pauses.until.is_(None), pauses.until <= now))
        .order_by(outbox.created_at, outbox.key)
        .limit(limit)
    )
    return _claim(session, _skip_locked(session, query, _OUTBOX), now, lease)


def put_back(session: Session, key: str, at: datetime, why: str) -> None:
    """A claimed post Slack took nothing of (429, or paced): pending again from `at`, its try
    not counted, so a post that never reached Slack is not looked for there before it goes."""
    session.execute(
        update(orm.Outbox)
        .where(orm.Outbox.key == key)
        .values(
            status="pending", lease_until=None, last_error=why[:2000], retry_at=at, attempts=orm.Outbox.attempts - 1
        )
    )


def pause_workspace(session: Session, team: str, until: datetime) -> None:
    """No post to `team` before `until` (a later pause already stored stands)."""
    row = session.get(orm.WorkspacePause, team, with_for_update=True)
    if row is None:
        if not insert_if_absent(session, orm.WorkspacePause, {"team": team, "until": until}):
            pause_workspace(session, team, until)  # another replica stored it first: keep the later
    elif row.until < until:
        row.until = until


_BY_KEYS = _OUTBOX_ROWS.where(
    _OUTBOX.c.key.in_(bindparam("keys", expanding=True)), _OUTBOX.c.status == "pending"
).order_by(_OUTBOX.c.created_at, _OUTBOX.c.key)
_BY_KEYS_SKIP_LOCKED = _BY_KEYS.with_for_update(of=_OUTBOX, skip_locked=True)


def claim_keys(session: Session, keys: list[str], now: datetime, lease: timedelta) -> list[OutboxItem]:
    """Take these posts if they are still pending (no other process took them first), oldest first."""
    postgresql = session.get_bind().dialect.name == "postgresql"  # as `_skip_locked`, with both built once
    return _claim(session, _BY_KEYS_SKIP_LOCKED if postgresql else _BY_KEYS, now, lease, {"keys": keys})


# Built once: a tick marks every post it makes, and building the statement cost more CPU than running it.
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.key == bindparam("post"))
    .values(
        status="sent",
        channel=bindparam("landed_in"),
        ts=bindparam("landed_ts"),
        sent_at=bindparam("now"),
        lease_until=None,
        last_error=None,
        retry_at=None,
    )
)


def mark_sent(session: Session, key: str, channel: str | None, ts: str | None, now: datetime) -> None:
    """Record where a post landed. On PostgreSQL this transaction does not wait for its commit to
    reach the disk (a flush per post was most of a busy tick): a sent mark lost to a server crash
    leaves the row 'sending' under its lease, so it is looked for in Slack by its key, not posted
    again."""
    mark_all_sent(session, [(key, channel, ts)], now)


def mark_all_sent(session: Session, posts: list[tuple[str, str | None, str | None]], now: datetime) -> None:
    """Record where each of these (key, channel, ts) posts landed, in one executemany (as
    `mark_sent`, without waiting for the disk flush on PostgreSQL)."""
    if not posts:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit = off")
    params = [{"post": key, "landed_in": channel, "landed_ts": ts, "now": now} for key, channel, ts in posts]
    session.execute(_MARK_SENT, params[0] if len(params) == 1 else params)


def mark_failed(session: Session, key: str, error: str, retry_at: datetime) -> None:
    """Back to pending, to be tried again from `retry_at`."""
    session.execute(
        update(orm.Outbox)
        .where(orm.Outbox.key == key)
        .values(status="pending", lease_until=None, last_error=error[:2000], retry_at=retry_at)
    )


def hold(session: Session, key: str, channel: str, error: str) -> bool:
    """Hold a post until the bot can post in `channel`; True when it is the first held there."""
    already = session.scalar(
        select(orm.Outbox.key).where(orm.Outbox.status == "held", orm.Outbox.channel == channel).limit(1)
    )
    session.execute(
        update(orm.Outbox)
        .where(orm.Outbox.key == key)
        .values(status="held", channel=channel, lease_until=None, last_error=error[:2000], retry_at=None)
    )
    return already is None


def release(session: Session, channel: str, org_id: int | None = None) -> list[str]:
    """The posts held for `channel` (only organisation `org_id`'s, if given), back to pending
    now; their keys, oldest first."""
    query = select(orm.Outbox.key).where(orm.Outbox.status == "held", orm.Outbox.channel == channel)
    if org_id is not None:
        query = query.where(orm.Outbox.organisation_id == org_id)
    keys = list(session.scalars(query.order_by(orm.Outbox.created_at, orm.Outbox.key)))
    if keys:
        session.execute(
            update(orm.Outbox).where(orm.Outbox.key.in_(keys)).values(status="pending", attempts=0, retry_at=None)
        )
    return keys


def posted_keys(session: Session, org_id: int, prefix: str) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(orm.Outbox.key).where(orm.Outbox.organisation_id == org_id, orm.Outbox.key.startswith(prefix))
        )
    )


def completions(session: Session, org_id: int, review_key: str) -> frozenset[datetime]:
    return frozenset(
        d
        for d in session.scalars(
            select(orm.ReviewCompletion.due_at).where(
                orm.ReviewCompletion.organisation_id == org_id, orm.ReviewCompletion.review_key == review_key
            )
        )
    )


def all_completions(session: Session, org_id: int) -> dict[str, frozenset[datetime]]:
    out: dict[str, set[datetime]] = {}
    for key, due in session.execute(
        select(orm.ReviewCompletion.review_key, orm.ReviewCompletion.due_at).where(
            orm.ReviewCompletion.organisation_id == org_id
        )
    ):
        out.setdefault(key, set()).add(due)
    return {k: frozenset(v) for k, v in out.items()}


def add_completion(
    session: Session, org_id: int, review_key: str, due_at: datetime, done_at: datetime, done_by: str, evidence: str
) -> bool:
    added = insert_if_absent(
        session,
        orm.ReviewCompletion,
        {
            "organisation_id": org_id,
            "review_key": review_key,
            "due_at": due_at,
            "done_at": done_at,
            "done_by": done_by,
            "evidence": evidence,
        },
    )
    if added:
        reviews_moved_on(session, org_id)
    return added


def reviews_moved_on(session: Session, org_id: int) -> None:
    """Bump the organisation's review version, in the transaction that completed a cycle or
    added or removed a timer (what `/tandem reviews` reads: completions and timer starts).
    As `handoff_repo.moved_on`, the row stays locked until that transaction commits, so
    versions count up in commit order."""
    move_on(session, "review_versions", org_id)


def completion(session: Session, org_id: int, review_key: str, due_at: datetime) -> Completed | None:
    row = session.scalar(
        select(orm.ReviewCompletion).where(
            orm.ReviewCompletion.organisation_id == org_id,
            orm.ReviewCompletion.review_key == review_key,
            orm.ReviewCompletion.due_at == due_at,
        )
    )
    return Completed(row.due_at, row.done_at, row.done_by, row.evidence) if row else None


def add_evidence(session: Session, org_id: int, review_key: str, due_at: datetime, evidence: str) -> None:
    """Append to a completed cycle's evidence (a later `done` for a cycle already finished)."""
    session.execute(
        update(orm.ReviewCompletion)
        .where(
            orm.ReviewCompletion.organisation_id == org_id,
            orm.ReviewCompletion.review_key == review_key,
            orm.ReviewCompletion.due_at == due_at,
        )
        .values(evidence=orm.ReviewCompletion.evidence + evidence)
    )
