"""A database that cannot be used, told as one sentence: which database, what is wrong, what to do.

Start-up (`bot.app.bootstrap.open_database`) turns any SQLAlchemy error into one of these,
so `tandem run`, `tick`, `console` and the matrix commands never show a driver's traceback.
SQLite's "unable to open" and "disk I/O error" say little; the file system says more (a
missing folder, a read-only mount, a full disk), so it is asked.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.errors import TandemError

FULL_BELOW = 1 << 20  # bytes free on the volume under which SQLite's I/O errors mean "disk full"


class DatabaseProblem(TandemError):
    """The database at DATABASE_URL cannot be reached, opened or written."""


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines() or [type(error).__name__])[0]


def _read_only(where: str) -> DatabaseProblem:
    return DatabaseProblem(
        f"The database {where} is read-only, and Tandem must write to it (handoffs, reminders, the audit log): "
        "make it writable (a read-write PostgreSQL primary, or a writable disk and file)."
    )


def _full(where: str) -> DatabaseProblem:
    return DatabaseProblem(f"The disk holding the database {where} is full: free some space or grow it.")


def _sqlite(error: BaseException, url: str) -> DatabaseProblem:
    path = Path(make_url(url).database or "").absolute()
    where = f"{path} (DATABASE_URL)"
    name = getattr(getattr(error, "orig", None), "sqlite_errorname", "") or ""
    folder = path.parent
    stats = os.statvfs(folder) if folder.is_dir() else None
    if name.startswith("SQLITE_READONLY") or (stats and stats.f_flag & os.ST_RDONLY):
        return _read_only(where)
    if name.startswith("SQLITE_IOERR") and not all(os.access(p, os.W_OK) for p in (path, folder) if p.exists()):
        return _read_only(where)  # e.g. made immutable (chattr +i), which stops root too
    if name == "SQLITE_FULL" or (
        name.startswith("SQLITE_IOERR") and stats and stats.f_bavail * stats.f_frsize < FULL_BELOW
    ):
        return _full(where)
    if name == "SQLITE_CANTOPEN" and not folder.is_dir():
        return DatabaseProblem(
            f"Cannot open the SQLite database {where}: the folder {folder} does not exist. "
            "Create it, or point DATABASE_URL at a file in a folder that exists."
        )
    if name == "SQLITE_CANTOPEN":
        return DatabaseProblem(
            f"Cannot open the SQLite database {where}: this user cannot create or write files in {folder} "
            "(SQLite writes a -wal and a -shm file beside the database). Give it write access, or point DATABASE_URL elsewhere."
        )
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return DatabaseProblem(
            f"The SQLite database {where} stayed locked by another process: stop whatever holds it "
            "(another tandem run, a sqlite3 shell)."
        )
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
        return DatabaseProblem(
            f"{where} is not a Tandem database, or it is damaged ({_first_line(error)}): restore it from a backup "
            "(docs/OPERATIONS.md), or point DATABASE_URL at another file."
        )
    return DatabaseProblem(f"The SQLite database {where} failed: {_first_line(error)}. Check the file and its disk.")


def _postgresql(error: BaseException, url: str) -> DatabaseProblem:
    parsed = make_url(url)
    server = f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}"
    shown = parsed.render_as_string(hide_password=True)
    where = f"{shown} (DATABASE_URL)"
    state = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    text = _first_line(error)
    if state == "25006" or "read-only transaction" in text:
        return _read_only(where)
    if state == "53100" or "No space left on device" in text:
        return _full(where)
    if "does not exist" in text and "database" in text:
        return DatabaseProblem(
            f"{server} has no database '{parsed.database}': create it (createdb {parsed.database}) "
            "or correct the name in DATABASE_URL."
        )
    if "password authentication failed" in text or ("role" in text and "does not exist" in text):
        return DatabaseProblem(
            f"{server} refused the user '{parsed.username}': correct the user and password in DATABASE_URL ({shown})."
        )
    if state.startswith("08") or (isinstance(error, OperationalError) and not state):
        reason = text.rsplit(":", 1)[-1].strip() or text
        return DatabaseProblem(
            f"Cannot reach {server} (DATABASE_URL={shown}): {reason}. Start PostgreSQL, or correct the host and "
            "port in DATABASE_URL."
        )
    return DatabaseProblem(f"The database {where} failed: {text}. Check DATABASE_URL and the database server's log.")


def refuses_writes(error: DBAPIError, url: str) -> bool:
    """Whether `error` is the database refusing a write now (read-only, full, a write the disk
    failed), which passes by itself once it is writable, rather than a bug or an outage."""
    orig = error.orig
    if url.startswith("sqlite"):
        name = getattr(orig, "sqlite_errorname", "") or ""
        return name.startswith(("SQLITE_READONLY", "SQLITE_IOERR")) or name == "SQLITE_FULL"
    return (getattr(orig, "sqlstate", None) or "") in ("25006", "53100")


def database_problem(error: BaseException, url: str) -> DatabaseProblem:
    """The sentence for `error`, raised while opening or writing the database at `url`."""
    return _sqlite(error, url) if url.startswith("sqlite") else _postgresql(error, url)
