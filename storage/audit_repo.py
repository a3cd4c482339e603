"""The audit log in the database: appended as a hash chain, one organisation at a time.

An append first bumps the organisation's head row (inserting it for the first event). On
PostgreSQL that upsert holds the row until the transaction ends, so replicas appending at
once take turns and never fork the chain; on SQLite it takes the database's write lock,
which does the same. The unique (organisation, seq) constraint stands behind both.

An append is on every handoff opened and every step, so its three statements are Core,
built once: through the ORM (an entity added and flushed, statements built per call) they
cost several times the CPU of running them.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.audit.chain import GENESIS, Head, event_hash
from bot.evidence import AuditRecord
from storage import models as orm

_HEAD = orm.AuditHead
_EVENT = orm.AuditEvent
_HEADS = cast(Table, _HEAD.__table__)
_EVENTS = cast(Table, _EVENT.__table__)
_ADD_EVENT = insert(_EVENTS)
_SET_HEAD_HASH = update(_HEADS).where(_HEADS.c.organisation_id == bindparam("org")).values(hash=bindparam("digest"))


@cache
def _bump_head(dialect_name: str) -> Insert:
    """The head's next seq and the hash it links to, in one statement: the first event of an
    organisation inserts its head (seq 1, linked to GENESIS), every later one adds 1."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(_HEADS).values(organisation_id=bindparam("org"), seq=1, hash=GENESIS)
    return statement.on_conflict_do_update(
        index_elements=[_HEADS.c.organisation_id], set_={"seq": _HEADS.c.seq + 1}
    ).returning(_HEADS.c.seq, _HEADS.c.hash)


def append(
    session: Session,
    org_id: int,
    org_key: str,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    detail: dict[str, Any],
) -> AuditRecord:
    """Add one event at the end of the organisation's chain."""
    seq, prev = session.execute(_bump_head(session.get_bind().dialect.name), {"org": org_id}).one()
    digest = event_hash(org_key, seq, at, actor, kind, subject, detail, prev)
    event = {"organisation_id": org_id, "at": at, "actor": actor, "kind": kind, "subject": subject}
    session.execute(_ADD_EVENT, {**event, "detail": detail, "seq": seq, "prev_hash": prev, "hash": digest})
    session.execute(_SET_HEAD_HASH, {"org": org_id, "digest": digest})
    return AuditRecord(at, actor, kind, subject, detail, org_key, seq, prev, digest)


def events(
    session: Session, org_id: int, org_key: str, kind_prefix: str = "", since: datetime | None = None
) -> list[AuditRecord]:
    """The organisation's events in chain order, optionally of one kind and from an instant on."""
    query = select(_EVENT).where(_EVENT.organisation_id == org_id)
    if kind_prefix:
        query = query.where(_EVENT.kind.startswith(kind_prefix))
    if since is not None:
        query = query.where(_EVENT.at >= since)
    rows = session.scalars(query.order_by(_EVENT.seq, _EVENT.id))
    return [
        AuditRecord(r.at, r.actor, r.kind, r.subject, r.detail, org_key, r.seq or 0, r.prev_hash or "", r.hash or "")
        for r in rows
    ]


def head(session: Session, org_id: int) -> Head | None:
    row = session.execute(select(_HEAD.seq, _HEAD.hash).where(_HEAD.organisation_id == org_id)).first()
    return Head(row[0], row[1]) if row and row[0] else None
