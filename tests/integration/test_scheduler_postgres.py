"""Four `tandem tick` processes at once on one PostgreSQL database: every post exactly once."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app.bootstrap import import_file
from bot.app.settings import Settings
from bot.app.slack import slack_container
from bot.clock import FixedClock
from bot.grammar import parse_command
from storage import models as orm
from storage.db import Database
from tests.conftest import EXAMPLE, ROOT, fresh_postgres_database
from tests.support.in_process import InProcess
from tests.support.slack_standin import SlackStandIn

pytestmark = pytest.mark.postgres
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def pg_url():
    with fresh_postgres_database() as url:
        yield url


def seed(standin, url: str, imported: datetime, opened: datetime, count: int) -> None:
    """Import the example matrix at `imported`, then open `count` P2 handoffs at `opened`."""
    db = Database(url)
    db.upgrade()
    clock = FixedClock(imported)
    bot = InProcess(
        slack_container(Settings(database_url=url, bot_token=standin.token, api_url=standin.base_url), db, clock)
    )
    import_file(db, EXAMPLE, "test", clock)
    clock.set(opened)
    for n in range(count):
        bot.open_handoff(parse_command("/handoff", f"P2 provider: item {n}"), "U0ALICE01", "C0SHARED01")
    db.dispose()


def ticks(standin, url: str, at: datetime, count: int) -> list[subprocess.CompletedProcess]:
    # Every breach of one shared channel at once: paced, they would take minutes; these ticks
    # are about each post going out once, whatever the number of ticks, so they post unpaced.
    env = {**os.environ, **standin.env(), "DATABASE_URL": url, "TANDEM_POST_SPACING": "0"}
    env.pop("SLACK_SIGNING_SECRET", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


def test_concurrent_ticks_post_each_occurrence_once(pg_url):
    with SlackStandIn() as standin:
        opened = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
        seed(standin, pg_url, datetime(2026, 11, 30, 7, 0, tzinfo=LONDON), opened, 40)
        standin.reset()

        runs = ticks(standin, pg_url, opened + timedelta(hours=1, minutes=1), 4)  # every respond clock breached
        assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
        posted = sum(int(r.stdout.split("posted ")[1].split(",")[0]) for r in runs)

        keys = collections.Counter(
            c.arg("metadata")["event_payload"]["occurrence"]
            for c in standin.calls("chat.postMessage")
            if c.reply.get("ok") and c.body.get("thread_ts")
        )
        assert len(keys) == 40 and set(keys.values()) == {1}  # one breach reply in each handoff's thread
        channel_posts = [
            c for c in standin.calls("chat.postMessage") if c.reply.get("ok") and not c.body.get("thread_ts")
        ]
        digests = sorted(c["text"].split(" for ")[0] for c in channel_posts if "digest" in c["text"])
        assert digests == ["Daily digest", "Weekly SLA digest"]  # Monday's weekly one too: imported before it
        assert len(channel_posts) == 40 + 2 and posted == 40 + 40 + 2  # each breach: thread reply and channel post

        again = ticks(standin, pg_url, opened + timedelta(hours=1, minutes=2), 2)
        assert all("planned 0, posted 0" in r.stdout for r in again)


def killed_tick(standin, pg_url: str, env: dict[str, str] | None = None) -> tuple[datetime, int, Callable]:
    """Twelve P2 handoffs opened at 09:00 and a tick at 10:01, its posts slowed to 0.25 s each,
    SIGKILLed once five of them landed: (the tick's instant, the calls before it, the
    stand-in's own chat.postMessage to put back). The handoffs' root messages stay in the
    calls: alerts reply in their threads."""
    opened = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
    seed(standin, pg_url, datetime(2026, 12, 1, 8, 45, tzinfo=LONDON), opened, 12)
    before = len(standin.calls())
    post = standin.method_handlers()["chat.postMessage"]
    standin.on("chat.postMessage", lambda call: (time.sleep(0.25), post(call))[1])
    at = opened + timedelta(hours=1, minutes=1)
    doomed = subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
        env={**os.environ, **standin.env(), "DATABASE_URL": pg_url, **(env or {})},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    standin.wait_for("chat.postMessage", count=24 + 5, timeout=60)
    doomed.send_signal(signal.SIGKILL)  # mid-delivery: some posts landed, some leased, some untouched
    doomed.wait()
    return at, before, post


def test_killed_tick_is_caught_up_once_by_the_next(pg_url):
    """A tick killed mid-delivery, then a tick after the lease: every post lands exactly once."""
    with SlackStandIn() as standin:
        at, before, post = killed_tick(standin, pg_url)
        landed = len(standin.calls("chat.postMessage")) - 24
        assert 5 <= landed < 24

        standin.on("chat.postMessage", post)
        [again] = ticks(standin, pg_url, at + timedelta(minutes=5), 1)  # after the 2-minute lease
        assert again.returncode == 0, again.stderr
        keys = collections.Counter(
            (c.arg("metadata")["event_payload"]["occurrence"], bool(c.body.get("thread_ts")))
            for c in standin.calls()[before:]
            if c.method == "chat.postMessage" and c.reply.get("ok")
        )
        assert set(keys.values()) == {1}  # nothing twice
        assert len([k for k, threaded in keys if k.startswith("sla:") and threaded]) == 12  # nothing lost


def test_a_tick_killed_before_writing_its_group_of_sent_marks_posts_each_once(pg_url):
    """A tick writes its sent marks in groups: SIGKILLed after posts landed in Slack and before
    their group was written, it leaves them `sending`; the next tick after the lease finds
    each in Slack by its key and records it: every post exactly once, none lost."""
    with SlackStandIn() as standin:
        at, before, post = killed_tick(standin, pg_url, {"TANDEM_POST_SPACING": "0"})  # a second into its group

        def landed() -> collections.Counter:
            return collections.Counter(
                (c.arg("metadata")["event_payload"]["occurrence"], bool(c.body.get("thread_ts")))
                for c in standin.calls()[before:]
                if c.method == "chat.postMessage" and c.reply.get("ok")
            )

        in_slack = {key for key, _ in landed()}
        db = Database(pg_url)
        with db.engine.connect() as c:
            rows = c.execute(select(orm.Outbox.key, orm.Outbox.status).where(orm.Outbox.key.in_(in_slack))).all()
        db.dispose()
        unmarked = {key for key, status in rows if status != "sent"}
        assert len(in_slack) >= 5 and unmarked  # in Slack, not marked sent: the window

        standin.on("chat.postMessage", post)
        [again] = ticks(standin, pg_url, at + timedelta(minutes=5), 1)  # after the 2-minute lease
        assert again.returncode == 0, again.stderr
        assert int(again.stdout.split("already posted ")[1].split(",")[0]) >= len(unmarked)
        keys = landed()
        assert set(keys.values()) == {1}  # nothing twice
        assert len([k for k, threaded in keys if k.startswith("sla:") and threaded]) == 12  # nothing lost
        assert (
            len([k for k, threaded in keys if k.startswith("sla:") and not threaded]) == 12
        )  # each breach's channel post
