"""SQL that must behave the same on SQLite and PostgreSQL: insert-if-absent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, model, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    The database decides, so two replicas racing for the same key get one winner. RETURNING
    tells who won; `rowcount` is not reliable for this statement on every driver.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    key = list(model.__table__.primary_key.columns)
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    return session.execute(statement).first() is not None


def insert_absent(session: Session, model, rows: list[dict], batch: int = 500) -> list[tuple]:
    """`insert_if_absent` for many rows, a few hundred per statement; the primary keys inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    key = list(model.__table__.primary_key.columns)
    inserted: list[tuple] = []
    for start in range(0, len(rows), batch):
        statement = dialect.insert(model).values(rows[start : start + batch]).on_conflict_do_nothing()
        inserted += [tuple(row) for row in session.execute(statement.returning(*key))]
    return inserted


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (their results are cursor results)."""
    return result.rowcount if isinstance(result, CursorResult) else 0
