"""Throwaway databases for the data benchmarks: a fresh SQLite file or PostgreSQL database, bulk
loading it faster than the services could, and what a report says about it.

A benchmark must start from an empty schema and leave nothing behind, and 100,000 rows through
the services would take longer than the measurement itself, hence Core executemany.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BATCH = 5_000


def add_postgres_argument(parser: argparse.ArgumentParser) -> None:
    """`--postgres URL`: run on a new database on that server instead of SQLite."""
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on PostgreSQL: a new database on this server "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards",
    )


@contextmanager
def bench_database(postgres: str | None, workdir: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file in `workdir`, or a new PostgreSQL database (dropped after)."""
    if not postgres:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(
        postgres.replace("postgresql://", "postgresql+psycopg://", 1)
        if postgres.startswith("postgresql://")
        else postgres
    )
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_migrated(url: str, postgres: str | None):
    """`storage.db.Database` on `url` with the schema migrated; says on stdout which database it is."""
    from storage.db import Database

    db = Database(url)
    where = "new database " + url.rsplit("/", 1)[-1] if postgres else url
    print(f"database: {db.engine.dialect.name} ({where})", flush=True)
    db.upgrade()
    return db


def organisation_id(engine, key: str) -> int:
    """The row id of organisation `key`, which bulk-inserted rows must carry (the services look it up themselves)."""
    from sqlalchemy import select

    from storage import models as orm

    with engine.connect() as connection:
        return connection.scalar(select(orm.Organisation.id).where(orm.Organisation.key == key))


def insert_rows(engine, table_, rows: list[dict], batch: int = BATCH) -> float:
    """Plain Core executemany in batches, one transaction per batch; returns seconds taken."""
    from sqlalchemy import insert

    start = time.perf_counter()
    statement = insert(table_)
    for i in range(0, len(rows), batch):
        with engine.begin() as connection:
            connection.execute(statement, rows[i : i + batch])
    return time.perf_counter() - start


def analyze(engine) -> None:
    """After a bulk load, VACUUM ANALYZE PostgreSQL (what autovacuum would do soon after) so its
    planner sees the real table sizes; SQLite is left as it is, since the bot never runs ANALYZE."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def database_size(engine, url: str) -> str:
    """The database's size on disk (SQLite: the file and its journal), to tell runs of different sizes apart."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            size = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    else:
        path = Path(url.removeprefix("sqlite:///"))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return f"{size / 1e6:.0f} MB"
