"""Changes to who owns what and their confirmations, as `bot.contract.signoff.ChangeSet` values.

Every change set added and every confirmation moves the organisation's `signoff_version`
on in the same transaction, which is what lets read-only commands show sign-off from a
copy in memory (`storage.quick`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from bot.contract.signoff import ChangeSet, Confirmation
from storage import contract_models as orm
from storage import models
from storage.sql import rowcount, versions_moved

_ROW = orm.MatrixChange
_COLUMNS = (
    _ROW.id,
    _ROW.at,
    _ROW.actor,
    _ROW.areas,
    _ROW.lines,
    _ROW.internal_by,
    _ROW.internal_at,
    _ROW.provider_by,
    _ROW.provider_at,
)
_OF_ORG = select(*_COLUMNS).where(_ROW.organisation_id == bindparam("org_id")).order_by(_ROW.at, _ROW.id)
_BUMP = (
    update(models.Organisation)
    .where(models.Organisation.id == bindparam("org_id"))
    .values(signoff_version=models.Organisation.signoff_version + 1)
)
_BUMP_OF_CHANGE = (
    update(models.Organisation)
    .where(
        models.Organisation.id
        == select(_ROW.organisation_id).where(_ROW.id == bindparam("change_id")).scalar_subquery()
    )
    .values(signoff_version=models.Organisation.signoff_version + 1)
)


def _domain(row: Sequence, org_key: str) -> ChangeSet:
    change_id, at, actor, areas, lines, internal_by, internal_at, provider_by, provider_at = row
    internal = Confirmation(internal_by, internal_at) if internal_by and internal_at else None
    provider = Confirmation(provider_by, provider_at) if provider_by and provider_at else None
    return ChangeSet(change_id, org_key, at, actor, tuple(areas or ()), tuple(lines or ()), internal, provider)


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
    session.execute(_BUMP, {"org_id": org_id})
    versions_moved(session)
    return row.id


def get(session: Session, org_id: int, org_key: str, change_id: int, lock: bool = False) -> ChangeSet | None:
    query = select(*_COLUMNS).where(_ROW.id == change_id, _ROW.organisation_id == org_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    return _domain(row, org_key) if row else None


def all_of(session: Session | Connection, org_id: int, org_key: str) -> list[ChangeSet]:
    """Oldest first; through a session, or a plain connection for `storage.quick`."""
    return [_domain(row, org_key) for row in session.execute(_OF_ORG, {"org_id": org_id})]


def confirm(session: Session, change_id: int, side: str, by: str, at: datetime) -> bool:
    """Record one side's confirmation unless that side has confirmed already (compare-and-set)."""
    by_column, at_column = (_ROW.internal_by, "internal") if side == "internal" else (_ROW.provider_by, "provider")
    result = session.execute(
        update(_ROW)
        .where(_ROW.id == change_id, by_column.is_(None))
        .values({f"{at_column}_by": by, f"{at_column}_at": at})
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        return False
    session.execute(_BUMP_OF_CHANGE, {"change_id": change_id})
    versions_moved(session)
    return True


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
