"""Wiring shared by every entry point: open the database and load a matrix."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings
from bot.clock import Clock
from bot.matrix.loader import load_file
from bot.services.matrices import import_matrix
from storage.db import Database
from storage.store import Units


def open_database(settings: Settings) -> Database:
    """The database with its schema up to date (the bot upgrades itself on start)."""
    db = Database(settings.database_url)
    db.upgrade()
    return db


def import_file(db: Database, path: str | Path, actor: str, clock: Clock) -> tuple[str, list[str]]:
    """Validate then load a matrix file in one transaction; return (organisation, changes)."""
    matrix = load_file(path)
    with Units(db)() as store:
        changes = import_matrix(store, matrix, actor, clock.now())
    return matrix.organisation, changes
