"""On PostgreSQL a serving process keeps what locates a request in memory, and the database
tells it when to forget: a change by any process, committed and settled, is in the very next
answer, with no sleep; a process that cannot hear reads the database instead; and a writer
waits for a process that stopped listening only until its lease runs out.

What memory held is shown by changing the database behind the listeners' backs (as a
superuser, with triggers off for that session): an answer that did not move read memory.
On SQLite, where there is no one to tell, each thread checks one number instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest

from bot.app.bootstrap import import_file
from bot.clock import SystemClock
from bot.ownership.cover import LeavePeriod
from storage.db import Database
from storage.quick import Located
from storage.replicas import LEASE, Listener, settle
from storage.store import Units
from tests.conftest import EXAMPLE, ROOT, fresh_postgres_database

CHANNEL, ALICE = "C0SHARED01", "U0ALICE01"


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        db = Database(url)
        db.upgrade()
        import_file(db, EXAMPLE, "test", SystemClock())
        db.dispose()
        yield url


def driver(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True)


def wait_until(condition, seconds: float = 5.0) -> None:
    """Set-up, not freshness: a listener starts on a thread of its own."""
    give_up = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < give_up, "the listener did not start listening"
        time.sleep(0.01)


@pytest.fixture
def replica(url) -> Iterator[Units]:
    """A serving process's units, listening."""
    db = Database(url)
    db.follow_changes()
    units = Units(db)
    listener = units.quick.listener
    assert listener is not None
    wait_until(lambda: listener.generation() is not None)
    yield units
    listener.stop()
    db.dispose()


def here(units: Units) -> Located:
    found = units.quick.locate(CHANNEL, ALICE)
    assert found is not None
    return found


def import_renamed(url: str, tmp_path) -> None:
    """`tandem matrix import`, in a process of its own, of the example under another name."""
    changed = tmp_path / "matrix.yml"
    changed.write_text(EXAMPLE.read_text(encoding="utf-8").replace("Harbour & Finch Architects", "H&F"), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "bot", "matrix", "import", str(changed)],
        check=False,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )
    assert run.returncode == 0, run.stderr


def behind_their_backs(url: str, statement: str) -> None:
    """A change no trigger tells of."""
    with driver(url) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute(statement)


def test_memory_answers_until_a_settled_change_and_then_the_change(url, replica):
    before = here(replica)
    behind_their_backs(url, "UPDATE organisations SET leave_version = leave_version + 100")
    assert here(replica) == before  # memory, not the database
    with driver(url) as connection:
        connection.execute("UPDATE organisations SET signoff_version = signoff_version + 1")
        assert settle(connection.cursor())
    after = here(replica)
    assert (after.leave_version, after.signoff_version) == (before.leave_version + 100, before.signoff_version + 1)


def test_an_import_by_another_process_is_in_the_next_answer(url, replica, tmp_path):
    before = here(replica)
    import_renamed(url, tmp_path)
    assert here(replica).matrix_version == before.matrix_version + 1


def test_a_leave_booking_through_the_units_of_another_replica_is_in_the_next_answer(url, replica):
    before = here(replica)
    writer = Database(url)
    try:
        now = SystemClock().now()
        with Units(writer)() as store:
            store.add_leave("harbour-finch", LeavePeriod("U0BEN0001", now, now + timedelta(days=1), None), ALICE, now)
    finally:
        writer.dispose()
    assert here(replica).leave_version == before.leave_version + 1


def test_a_writer_waits_for_a_silent_lease_only_until_it_runs_out(url, replica):
    with driver(url) as connection:
        connection.execute(
            "INSERT INTO replica_leases (id, acked, expires_at) VALUES ('silent', 0, clock_timestamp() + interval '0.6 s')"
        )
        began = time.monotonic()
        assert settle(connection.cursor())
        waited = time.monotonic() - began
        assert 0.5 < waited < LEASE + 0.5  # the live replica answered at once; the silent one ran out
        began = time.monotonic()
        assert settle(connection.cursor())
        assert time.monotonic() - began < 0.5  # a lease that ran out holds no one up


def test_a_replica_that_lost_its_connection_forgets_what_it_held(url, replica):
    listener = replica.quick.listener
    assert isinstance(listener, Listener)
    before, lease = here(replica), listener.lease_id
    with driver(url) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    behind_their_backs(url, "UPDATE organisations SET leave_version = leave_version + 7")  # no one hears this
    wait_until(lambda: listener.lease_id != lease and listener.generation() is not None)
    assert here(replica).leave_version == before.leave_version + 7


@pytest.mark.parametrize(
    "lost",
    ["DELETE FROM replica_leases", "UPDATE replica_leases SET expires_at = clock_timestamp() - interval '1 s'"],
    ids=["taken", "ran out"],
)
def test_a_replica_whose_lease_is_gone_listens_again_afresh(url, replica, lost):
    """A writer may have gone on without it meanwhile: what it held is forgotten."""
    listener = replica.quick.listener
    assert isinstance(listener, Listener)
    before, lease = here(replica), listener.lease_id
    with driver(url) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute("UPDATE organisations SET leave_version = leave_version + 3")
        connection.execute(lost)
    wait_until(lambda: listener.lease_id != lease and listener.generation() is not None)
    assert here(replica).leave_version == before.leave_version + 3


def test_on_sqlite_nothing_listens(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'one.db'}")
    db.upgrade()
    db.follow_changes()
    assert Units(db).quick.listener is None
    db.dispose()


def test_a_change_this_process_made_is_in_its_next_answer_without_waiting_for_itself(url, replica):
    before = here(replica)
    listener = replica.quick.listener
    assert isinstance(listener, Listener)
    listener.stop()  # it hears nothing more, and gives its lease back: take it again, deaf
    with driver(url) as connection:
        connection.execute(
            "INSERT INTO replica_leases (id, acked, expires_at) VALUES (%s, 0, clock_timestamp() + interval '0.8 s')",
            (listener.lease_id,),
        )
    now = SystemClock().now()
    began = time.monotonic()
    with replica() as store:
        store.add_leave("harbour-finch", LeavePeriod("U0BEN0001", now, now + timedelta(days=1), None), ALICE, now)
    assert time.monotonic() - began < LEASE / 2  # its own lease was not waited for
    assert replica.quick.locate(CHANNEL, ALICE).leave_version == before.leave_version + 1


def test_on_sqlite_a_thread_keeps_what_it_found_until_any_other_connection_commits(tmp_path):
    """SQLite has no one to tell: each thread's own connection reads `PRAGMA data_version`,
    which any commit by another connection (another worker, `tandem matrix import`) moves."""
    url = f"sqlite:///{tmp_path / 'one.db'}"
    db = Database(url)
    db.upgrade()
    import_file(db, EXAMPLE, "test", SystemClock())
    units = Units(db)
    before = here(units)
    statements: list[str] = []
    units.quick._connection().set_trace_callback(statements.append)
    assert here(units) == before
    assert statements == ["PRAGMA data_version"]  # memory: no query

    import_renamed(url, tmp_path)
    assert here(units).matrix_version == before.matrix_version + 1
    db.dispose()
