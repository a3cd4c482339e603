"""Two bot processes on one PostgreSQL database: every Slack event is handled exactly once."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.conftest import fresh_postgres_database
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.slack_standin import SlackStandIn

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_database():
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def replicas(pg_database):
    with SlackStandIn() as standin:
        first, second = BotProcess(standin, pg_database), BotProcess(standin, pg_database)
        starting = [threading.Thread(target=p.start) for p in (first, second)]  # replicas start together
        for thread in starting:
            thread.start()
        for thread in starting:
            thread.join()
        try:
            yield standin, first, second
        finally:
            first.stop()
            second.stop()


def deliver_to_both(first, second, request) -> list[int]:
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda p=p: statuses.append(sr.post(p.events_url, *request)[0]))
        for p in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_the_same_event_at_two_replicas_is_answered_once(replicas):
    standin, first, second = replicas
    standin.reset()
    for n in range(10):
        event = sr.app_mention(f"<@W111> who owns backups? ({n})", user="U0ALICE01", channel="C0SHARED01")
        request = sr.event_callback(event, event_id=f"EvPG{n:07d}")
        retry = sr.event_callback(event, event_id=f"EvPG{n:07d}", retry_num=1)
        assert deliver_to_both(first, second, request) == [200, 200]
        assert sr.post(second.events_url, *retry)[0] == 200
    standin.wait_for("chat.postMessage", count=10, timeout=15)
    time.sleep(1.0)  # give a duplicate time to show up
    calls = standin.calls("chat.postMessage")
    assert len(calls) == 10 and len({c["thread_ts"] for c in calls}) == 10
    assert all("Backups" in json.dumps(c.blocks) for c in calls)


def test_both_replicas_share_one_matrix_and_one_import(replicas, pg_database):
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_database)
    with engine.connect() as connection:
        imports = connection.execute(text("SELECT count(*) FROM audit_events WHERE kind = 'matrix.import'")).scalar()
        version = connection.execute(text("SELECT matrix_version FROM organisations")).scalar()
    engine.dispose()
    assert (imports, version) == (1, 1)
