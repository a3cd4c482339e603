"""SQL that must behave the same on SQLite and PostgreSQL: insert-if-absent, and moving a
per-organisation version on.

The statements are Core over each model's table, built once per table and dialect: an
ORM-enabled insert goes through the ORM's bulk path and is compiled again on every call,
which cost more CPU than running it (the outbox's enqueue, the once claims and the inbox
record are on every request that writes).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import CursorResult, Insert, Result, Table, TextClause, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def _insert_absent(table: Table, dialect_name: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)


def _statement(session: Session, model) -> Insert:
    return _insert_absent(model.__table__, session.get_bind().dialect.name)


def insert_if_absent(session: Session, model, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    The database decides, so two replicas racing for the same key get one winner. RETURNING
    tells who won; `rowcount` is not reliable for this statement on every driver.
    """
    return session.execute(_statement(session, model), values).first() is not None


def insert_absent(session: Session, model, rows: list[dict]) -> list[tuple]:
    """`insert_if_absent` for many rows (SQLAlchemy sends them a page of rows per statement);
    the primary keys inserted."""
    if not rows:
        return []
    return [tuple(row) for row in session.execute(_statement(session, model), rows[0] if len(rows) == 1 else rows)]


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (their results are cursor results)."""
    return result.rowcount if isinstance(result, CursorResult) else 0


MOVED = "tandem.versions_moved"  # in `Session.info`: the unit moved a version (`storage.replicas`)


def versions_moved(session: Session) -> None:
    """Note that this unit changed what the locating query reads (`storage.quick`): when it has
    committed, the replicas holding it must forget it before anyone is told (`Database.moved`)."""
    session.info[MOVED] = True


VERSION_TABLES = frozenset({"handoff_versions", "review_versions", "hours_versions"})


@cache
def _move_on(table: str) -> TextClause:
    return text(
        f"INSERT INTO {table} (organisation_id, version) VALUES (:org_id, 1) "
        f"ON CONFLICT (organisation_id) DO UPDATE SET version = {table}.version + 1"
    )


def move_on(session: Session, table: str, org_id: int) -> None:
    """Bump the organisation's row of a version table (one of `VERSION_TABLES`), in the
    transaction that changed what it versions. The row stays locked until that transaction
    commits, so versions count up in commit order and a reader never keeps an answer that a
    later commit changes under a version it has seen."""
    if table not in VERSION_TABLES:
        raise ValueError(f"{table!r} is not a version table")
    session.execute(_move_on(table), {"org_id": org_id})
    versions_moved(session)
