"""SQL that must behave the same on SQLite and PostgreSQL: insert-if-absent."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, model, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    The database decides, so two replicas racing for the same key get one winner.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing()
    return session.execute(statement).rowcount == 1
