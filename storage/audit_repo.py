"""The audit log in the database: appended as a hash chain, one organisation at a time.

An append first bumps the organisation's head row. On PostgreSQL that UPDATE holds the
row until the transaction ends, so replicas appending at once take turns and never fork
the chain; on SQLite it takes the database's write lock, which does the same. The unique
(organisation, seq) constraint stands behind both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.audit.chain import GENESIS, Head, event_hash
from bot.evidence import AuditRecord
from storage import models as orm
from storage.sql import insert_if_absent

_HEAD = orm.AuditHead
_EVENT = orm.AuditEvent


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
    insert_if_absent(session, _HEAD, {"organisation_id": org_id, "seq": 0, "hash": GENESIS})
    seq, prev = session.execute(
        update(_HEAD).where(_HEAD.organisation_id == org_id).values(seq=_HEAD.seq + 1).returning(_HEAD.seq, _HEAD.hash)
    ).one()
    digest = event_hash(org_key, seq, at, actor, kind, subject, detail, prev)
    session.add(
        _EVENT(
            organisation_id=org_id,
            at=at,
            actor=actor,
            kind=kind,
            subject=subject,
            detail=detail,
            seq=seq,
            prev_hash=prev,
            hash=digest,
        )
    )
    session.execute(update(_HEAD).where(_HEAD.organisation_id == org_id).values(hash=digest))
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
