"""The beats `/healthz` reads: one row per name, overwritten in place (one small write per tick)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import Heartbeat


def record_beat(db: Database, name: str, at: datetime) -> None:
    """Set the beat `name` to `at` (insert or overwrite: any number of replicas may write it)."""
    with db.session() as session:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Heartbeat).values(name=name, at=at)
        session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"at": statement.excluded.at}))


def last_beat(db: Database, name: str) -> datetime | None:
    """When `name` last beat, or None if it never has."""
    with db.session(read_only=True) as session:
        return session.scalar(select(Heartbeat.at).where(Heartbeat.name == name))
