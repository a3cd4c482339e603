"""Wiring shared by every entry point: open the database and load a matrix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.app.settings import Settings
from bot.clock import Clock, SystemClock
from bot.errors import Problem
from bot.matrix.loader import read_file
from bot.services.matrices import import_matrix
from storage.db import Database
from storage.heartbeats import record_beat
from storage.problems import database_problem
from storage.store import Units


def open_database(settings: Settings, writable: bool = True) -> Database:
    """The database with its schema up to date (the bot upgrades itself on start).

    `writable`: the command writes, so prove it can now (one small write) rather than fail
    later on a read-only or full disk. Any failure is a `DatabaseProblem` sentence.
    """
    db = Database(settings.database_url)
    try:
        db.upgrade()
        if writable:
            record_beat(db, "start", SystemClock().now())
    except SQLAlchemyError as error:
        db.dispose()
        raise database_problem(error, settings.database_url) from None
    return db


def import_file(
    db: Database, path: str | Path, actor: str, clock: Clock, warn: Callable[[Problem], None] | None = None
) -> tuple[str, list[str]]:
    """Validate then load a matrix file in one transaction; return (organisation, changes).

    What loads but deserves a look (a placeholder person, no channel, markup in a name) goes
    to `warn` first, whether or not anything changed."""
    loaded = read_file(path)
    if warn is not None:
        for warning in loaded.warnings:
            warn(warning)
    matrix = loaded.matrix
    with Units(db)() as store:
        changes = import_matrix(store, matrix, actor, clock.now())
    return matrix.organisation, changes
