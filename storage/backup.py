"""A consistent copy of the SQLite database, taken while Tandem runs.

SQLite's online backup API copies the pages of one read transaction: with WAL, writers keep
writing meanwhile, and the copy is the database as it stood at one instant (never a torn
file, as `cp` of a live database with its -wal file can give). The copy is written beside
the target and renamed into place, so a backup that fails half-way leaves no half a file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import TandemError
from storage.db import Database
from storage.problems import database_problem


class BackupRefused(TandemError):
    """The backup cannot be taken as asked."""


def backup_sqlite(db: Database, target: Path) -> str:
    """Copy the database to `target` (checked afterwards); return its schema version."""
    if db.engine.dialect.name != "sqlite":
        raise BackupRefused(
            "tandem db backup copies a SQLite database. For PostgreSQL use pg_dump, e.g. "
            "pg_dump --format=custom --file=tandem.dump DATABASE_URL (docs/OPERATIONS.md)."
        )
    source = Path(db.engine.url.database or "")
    if not source.is_file():
        raise BackupRefused(f"There is no database at {source.absolute()} (DATABASE_URL) to back up.")
    if not target.parent.is_dir():
        raise BackupRefused(f"Cannot write the backup to {target}: the folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        raw = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(copy)  # type: ignore[union-attr]
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                check = copy.execute("PRAGMA integrity_check").fetchone()[0]
                version = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                copy.close()
        finally:
            raw.close()
    except (SQLAlchemyError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise database_problem(error, db.url) from None
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"The copy failed SQLite's integrity check ({check}); the database may be damaged.")
    os.replace(partial, target)
    return version[0] if version else "empty"
