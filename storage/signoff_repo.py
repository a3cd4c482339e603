"""Changes to who owns what and their confirmations, as `bot.contract.signoff.ChangeSet` values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.contract.signoff import ChangeSet, Confirmation
from storage import contract_models as orm
from storage import models
from storage.sql import rowcount

_ROW = orm.MatrixChange


def _domain(row: orm.MatrixChange, org_key: str) -> ChangeSet:
    internal = Confirmation(row.internal_by, row.internal_at) if row.internal_by and row.internal_at else None
    provider = Confirmation(row.provider_by, row.provider_at) if row.provider_by and row.provider_at else None
    return ChangeSet(
        row.id, org_key, row.at, row.actor, tuple(row.areas or ()), tuple(row.lines or ()), internal, provider
    )


def add(session: Session, org_id: int, change: ChangeSet) -> int:
    row = _ROW(
        organisation_id=org_id,
        at=change.at,
        actor=change.actor,
        areas=list(change.areas),
        lines=list(change.lines),
        internal_by=change.internal.by if change.internal else None,
        internal_at=change.internal.at if change.internal else None,
        provider_by=change.provider.by if change.provider else None,
        provider_at=change.provider.at if change.provider else None,
    )
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, org_id: int, org_key: str, change_id: int, lock: bool = False) -> ChangeSet | None:
    query = select(_ROW).where(_ROW.id == change_id, _ROW.organisation_id == org_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    return _domain(row, org_key) if row else None


def all_of(session: Session, org_id: int, org_key: str) -> list[ChangeSet]:
    rows = session.scalars(select(_ROW).where(_ROW.organisation_id == org_id).order_by(_ROW.at, _ROW.id))
    return [_domain(row, org_key) for row in rows]


def confirm(session: Session, change_id: int, side: str, by: str, at: datetime) -> bool:
    """Record one side's confirmation unless that side has confirmed already (compare-and-set)."""
    by_column, at_column = (_ROW.internal_by, "internal") if side == "internal" else (_ROW.provider_by, "provider")
    result = session.execute(
        update(_ROW)
        .where(_ROW.id == change_id, by_column.is_(None))
        .values({f"{at_column}_by": by, f"{at_column}_at": at})
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def placed(session: Session, change_id: int, channel: str, ts: str) -> None:
    session.execute(update(_ROW).where(_ROW.id == change_id).values(channel=channel, ts=ts))


def message(session: Session, org_id: int, change_id: int, outbox_key: str) -> tuple[str, str] | None:
    """Where the change's Confirm message is: posted in a request, or by the scheduler's outbox."""
    row = session.execute(select(_ROW.channel, _ROW.ts).where(_ROW.id == change_id, _ROW.organisation_id == org_id))
    found = row.first()
    if found and found[0] and found[1]:
        return found[0], found[1]
    sent = session.execute(
        select(models.Outbox.channel, models.Outbox.ts).where(
            models.Outbox.key == outbox_key, models.Outbox.status == "sent"
        )
    ).first()
    return (sent[0], sent[1]) if sent and sent[0] and sent[1] else None
