"""Shared fixtures: the example matrix, a clock you can set, a fresh database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.matrix.loader import load_file
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "matrix.yml"


@pytest.fixture(scope="session")
def example_matrix():
    return load_file(EXAMPLE)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # a Tuesday, business hours


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'tandem.db'}")
    database.upgrade()
    yield database
    database.dispose()


def postgres_url() -> str | None:
    """The real PostgreSQL test database, or None (a failure under CI=true)."""
    url = os.environ.get("TANDEM_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
        return url
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable at {url}: {exc}")
        return None


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the real PostgreSQL server, dropped afterwards (skips if absent locally)."""
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    import psycopg

    name = f"tandem_{uuid.uuid4().hex[:10]}"
    admin = base.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def either_database(request, tmp_path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, then one on the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tandem.db'}"
        return
    with fresh_postgres_database() as url:
        yield url
