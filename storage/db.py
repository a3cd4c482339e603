"""Engines, sessions and schema upgrades.

SQLite is the one-process default; PostgreSQL serves replicas. Both get the same schema
from Alembic migrations, applied on start and by `tandem db upgrade`. Alembic is only
imported when the schema is behind: a start on an up-to-date database reads one row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0013"  # the newest migration; a test checks it against Alembic's own head


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend.

    SQLite gets foreign keys, WAL and a busy timeout. Its driver runs a SELECT outside any
    transaction, which is right for most units of work; one that reads rows in order to
    claim them opens with `Database.session(immediate=True)` instead.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no branch
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # connect_timeout: an unreachable server fails in seconds, not whenever TCP gives up
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"connect_timeout": 10})


def schema_version(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None  # no alembic_version table yet


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest migration (safe when several replicas start at once).

    Returns the version it upgraded from ("empty" for a new database), or None when the
    schema was already up to date.
    """
    before = schema_version(engine)
    if before == HEAD:
        return None
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before or "empty"


class Database:
    """One engine and its session factory; a unit of work is one `session()` block."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.upgraded_from: str | None = None  # set by upgrade(): the version this process found
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, immediate: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        `immediate`: it reads rows in order to claim them; on SQLite it waits for, then holds,
        the write lock from the start (PostgreSQL claims with FOR UPDATE SKIP LOCKED instead).
        """
        with self._sessions.begin() as session:
            if immediate and self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    def upgrade(self) -> None:
        self.upgraded_from = upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
