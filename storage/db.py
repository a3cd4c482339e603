"""Engines, sessions and schema upgrades.

SQLite is the one-process default; PostgreSQL serves replicas. Both get the same schema
from Alembic migrations, applied on start and by `tandem db upgrade`. Alembic is only
imported when the schema is behind: a start on an up-to-date database reads one row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from storage.replicas import Listener

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)
HEAD = "0036"  # the newest migration; a test checks it against Alembic's own head
SQLITE_BUSY_MS = 30_000  # how long a SQLite unit waits for another's write lock, unless told otherwise


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend.

    SQLite gets foreign keys, WAL and a busy timeout. Its driver runs a SELECT outside any
    transaction, which is right for a unit that only reads; a unit that writes begins
    IMMEDIATE instead (`Database.session`), so what it read cannot change under it.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

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
        self._telling = threading.local()  # .deferred: depth of `deferring()`; .pending: a change not settled
        self._replicas = self.engine.dialect.name == "postgresql"
        self._own = threading.local()  # .sql: this thread's own connection
        self.listener: Listener | None = None

    def follow_changes(self) -> None:
        """This process serves requests: on PostgreSQL, listen for changes (`storage.replicas`),
        so that what locates a request can be kept in memory (`storage.quick`)."""
        if self._replicas and self.listener is None:
            from storage.replicas import Listener

            self.listener = Listener(self.connect_driver)

    def own_connection(self) -> Connection:
        """This thread's own connection, outside the pool: made by the engine (its connect hooks
        ran), never handed to anyone else, in autocommit on PostgreSQL."""
        connection: Connection | None = getattr(self._own, "sql", None)
        if connection is None:
            connection = self.engine.connect()
            if self._replicas:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.detach()
            self._own.sql = connection
        return connection

    def drop_own_connection(self) -> None:
        """Close and forget this thread's connection (the server went away, the file did, or a
        statement failed on it): the next read makes one."""
        connection: Connection | None = getattr(self._own, "sql", None)
        self._own.sql = None
        if connection is not None:
            with suppress(Exception):  # already gone: nothing to close
                connection.close()

    def connect_driver(self) -> Any:
        """A new psycopg connection in autocommit, outside the pool (PostgreSQL only)."""
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(url, autocommit=True, connect_timeout=10)

    def moved(self) -> None:
        """A unit that moved a version the locating query reads has committed (`storage.replicas`):
        settle it now, or at the end of the `deferring()` block this thread is in."""
        if not self._replicas:
            return
        if getattr(self._telling, "deferred", 0):
            self._telling.pending = True
        else:
            self._settle()

    @contextmanager
    def deferring(self) -> Iterator[None]:
        """Changes committed in this block are settled once, when it ends (or by `settle()`
        before then): a request's, before Slack gets the acknowledgement."""
        self._telling.deferred = getattr(self._telling, "deferred", 0) + 1
        try:
            yield
        finally:
            self._telling.deferred -= 1
            self.settle()

    def settle(self) -> None:
        """Before telling anyone (a post, an acknowledgement): every replica has seen what this
        thread committed."""
        if getattr(self._telling, "pending", False):
            self._telling.pending = False
            self._settle()

    def _settle(self) -> None:
        """This process forgets at once, on its own; then the others are waited for."""
        from storage.replicas import settle

        here = self.listener.forget_here() if self.listener is not None else None
        try:
            settle(self.own_connection().connection.cursor(), skip=here)
        except (DBAPIError, self.engine.dialect.loaded_dbapi.Error) as error:
            # committed all the same, and the replicas learn of it from the trigger
            self.drop_own_connection()
            log.warning("could not make sure every replica saw a change: %s", error)

    @contextmanager
    def session(self, read_only: bool = False, timeout: float | None = None) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        A unit that writes (the default) takes SQLite's write lock before its first read
        (`BEGIN IMMEDIATE`), so two units that read a row and then change it run one after
        the other; PostgreSQL serialises them with row locks (`FOR UPDATE`). `read_only`
        units read without the lock, as many at once as like. `timeout` (seconds) bounds
        the wait for a lock, for units that must finish within Slack's three seconds: past
        it the unit raises `OperationalError` instead of waiting up to the 30 s default.
        """
        with self._sessions.begin() as session:
            sqlite = self.engine.dialect.name == "sqlite"
            connection = session.connection()
            if timeout is not None:
                ms = max(1, int(timeout * 1000))
                statement = f"PRAGMA busy_timeout = {ms}" if sqlite else f"SET LOCAL lock_timeout = {ms}"
                connection.exec_driver_sql(statement)
            try:
                if sqlite and not read_only:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield session
            finally:
                if sqlite and timeout is not None:
                    try:
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
                    except DBAPIError:
                        connection.invalidate()  # never hand the short timeout on to the next unit

    def upgrade(self) -> None:
        self.upgraded_from = upgrade(self.engine)

    def dispose(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        self.engine.dispose()
