"""The one write an acknowledgement waits for: a request's claim and its inbox record, together.

On PostgreSQL it is one statement in one round trip (`storage.intake`), on SQLite a unit of
work; both must claim, take over and refuse exactly as `Store.claim_event`, `claim_request`
and `record_request` do in a unit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.inbox import InboxItem
from storage.db import Database
from storage.store import Units
from tests.conftest import fresh_postgres_database

NOW = datetime(2026, 12, 7, 23, 40, tzinfo=UTC)  # a Monday night
LEASE, CLAIM_LEASE = timedelta(seconds=60), timedelta(seconds=60)
PAYLOAD = {"command": "/handoff", "text": "provider: the NAS in the back office beeps", "user_id": "U0NIGHT01"}


def _units(url: str) -> Iterator[Units]:
    db = Database(url)
    db.upgrade()
    yield Units(db)
    db.dispose()


@pytest.fixture
def units(either_database):
    yield from _units(either_database)


@pytest.fixture
def pg_units():
    with fresh_postgres_database() as url:
        yield from _units(url)


def item(key: str) -> InboxItem:
    return InboxItem(key=key, kind="command", team="T111", work="work", payload=PAYLOAD, attempts=1)


def inbox(units: Units, key: str) -> list[tuple]:
    with units.db.engine.connect() as connection:
        return connection.execute(
            text("SELECT kind, team, work, state, attempts FROM inbox WHERE key = :key"), {"key": key}
        ).all()


def test_a_request_is_claimed_and_recorded_once_and_its_replay_records_nothing(units):
    key = "signed:v0=aaaa"
    assert units.record_first(item(key), ("request", key), NOW, CLAIM_LEASE, LEASE, 1.5) is True
    assert units.record_first(item(key), ("request", key), NOW + timedelta(hours=2), CLAIM_LEASE, LEASE, 1.5) is False
    assert inbox(units, key) == [("command", "T111", "work", "pending", 1)]
    with units(read_only=True, timeout=1.5) as store:  # the Resumer reads it back as it was sent
        (taken,) = store.claim_requests(NOW + LEASE + timedelta(seconds=1), LEASE, 5)
    assert (taken.key, taken.payload, taken.attempts) == (key, PAYLOAD, 2)


def test_an_event_claim_abandoned_past_its_lease_is_taken_over_and_a_live_or_finished_one_is_not(units):
    live, abandoned, finished = "Ev0LIVE", "Ev0GONE", "Ev0DONE"
    with units() as store:
        store.claim_event(live, NOW - timedelta(seconds=10), CLAIM_LEASE)
        store.claim_event(abandoned, NOW - timedelta(minutes=5), CLAIM_LEASE)
        store.claim_event(finished, NOW - timedelta(minutes=5), CLAIM_LEASE)
        store.finish_event(finished, NOW - timedelta(minutes=4))
    won = {
        key: units.record_first(item(key), ("event", key), NOW, CLAIM_LEASE, LEASE, 1.5)
        for key in (live, abandoned, finished)
    }
    assert won == {live: False, abandoned: True, finished: False}
    assert [key for key in (live, abandoned, finished) if inbox(units, key)] == [abandoned]


@pytest.mark.postgres
def test_on_postgresql_a_claim_locked_by_another_transaction_gives_up_in_time_and_the_next_request_is_recorded(
    pg_units,
):
    units = pg_units
    key = "Ev0HELD"
    with units() as store:
        store.claim_event(key, NOW - timedelta(minutes=5), CLAIM_LEASE)
    with units.db.engine.connect() as holder:  # a slow work unit finishing that event holds its row
        holder.execute(text("SELECT 1 FROM processed_events WHERE event_id = :key FOR UPDATE"), {"key": key})
        started = datetime.now(UTC)
        with pytest.raises(Exception, match="lock"):
            units.record_first(item(key), ("event", key), NOW, CLAIM_LEASE, LEASE, 0.2)
        assert datetime.now(UTC) - started < timedelta(seconds=2)
        holder.rollback()
    assert units.record_first(item("signed:v0=next"), ("request", "signed:v0=next"), NOW, CLAIM_LEASE, LEASE, 1.5)


@pytest.mark.postgres
def test_on_postgresql_a_connection_the_server_dropped_is_replaced_and_the_request_recorded(pg_units):
    units = pg_units
    assert units.record_first(item("signed:v0=one"), ("request", "signed:v0=one"), NOW, CLAIM_LEASE, LEASE, 1.5)
    pid = units.db.own_connection().connection.dbapi_connection.info.backend_pid
    with units.db.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert units.record_first(item("signed:v0=two"), ("request", "signed:v0=two"), NOW, CLAIM_LEASE, LEASE, 1.5)
    assert inbox(units, "signed:v0=two") == [("command", "T111", "work", "pending", 1)]
