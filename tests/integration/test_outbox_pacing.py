"""The outbox posts politely: a post a second per channel, and a 429 from one workspace pauses
that workspace only, through the real slack_sdk client against the stand-in, measured from
the stand-in's record. Two clients, each in its own workspace and channel, get their 08:30
digests (a Monday: the daily and the weekly) from the same ticks."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app.bootstrap import import_file
from bot.app.settings import Settings
from bot.app.slack import slack_container
from bot.clock import FixedClock
from bot.services.pacing import Pacing
from bot.services.schedule import tick
from storage import models as orm
from storage.db import Database
from tests.conftest import EXAMPLE
from tests.support.in_process import InProcess
from tests.support.slack_standin import SlackStandIn

LONDON = ZoneInfo("Europe/London")
FIRST, SECOND = "C0SHARED01", "C0OTHER001"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def runtime(standin, tmp_path):
    standin.reset()
    clock = FixedClock(local(2026, 11, 30, 7, 0))  # Monday, before the digests
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}", bot_token=standin.token, api_url=standin.base_url
    )
    db = Database(settings.database_url)
    db.upgrade()
    text = EXAMPLE.read_text()
    first, second = tmp_path / "first.yml", tmp_path / "second.yml"
    first.write_text(text.replace(f"channel: {FIRST}", f"channel: {FIRST}\nteam: T0HOSTA001"))
    second.write_text(
        text.replace("organisation: harbour-finch", "organisation: second-client")
        .replace("name: Harbour & Finch Architects", "name: Second Client")
        .replace(f"channel: {FIRST}", f"channel: {SECOND}\nteam: T0HOSTB001")
    )
    import_file(db, first, "test", clock)
    import_file(db, second, "test", clock)
    yield InProcess(slack_container(settings, db, clock))
    db.dispose()


def at(runtime, when: datetime):
    runtime.clock.set(when)
    return tick(runtime.deps)


def posted(standin, channel: str | None = None):
    return [
        c
        for c in standin.calls("chat.postMessage")
        if c.reply.get("ok") and (channel is None or c["channel"] == channel)
    ]


def keys(calls) -> list[str]:
    return [c.arg("metadata")["event_payload"]["occurrence"] for c in calls]


def test_posts_in_one_channel_go_a_second_apart_and_another_channel_does_not_wait(runtime, standin):
    report = at(runtime, local(2026, 11, 30, 8, 30))
    calls = posted(standin)
    assert report.posted == len(calls) == 4 and len(set(keys(calls))) == 4
    for channel in (FIRST, SECOND):
        times = [c.at for c in posted(standin, channel)]
        assert len(times) == 2 and times[1] - times[0] >= 0.95
    # Oldest first, the first whose channel is free next: the second client's first digest
    # goes while the first client's channel waits its second.
    assert [c["channel"] for c in calls] == [FIRST, SECOND, FIRST, SECOND]


def test_a_429_pauses_its_workspace_only_which_resumes_after_retry_after_posting_each_once(runtime, standin):
    standin.rate_limit("chat.postMessage", times=1, retry_after=30, channel=FIRST)
    report = at(runtime, local(2026, 11, 30, 8, 30))
    assert [c.status for c in standin.calls("chat.postMessage") if c["channel"] == FIRST] == [429]  # not slept on
    assert len(posted(standin, SECOND)) == 2 and posted(standin, FIRST) == []
    assert report.deferred == 2 and report.failed == 0
    with runtime.db.session() as session:
        [pause] = session.scalars(select(orm.WorkspacePause)).all()
    assert pause.team == "T0HOSTA001" and pause.until == local(2026, 11, 30, 8, 30, 30)

    calls_before = len(standin.calls("chat.postMessage"))
    assert at(runtime, local(2026, 11, 30, 8, 30, 20)).posted == 0  # still paused: claimed by nobody
    assert len(standin.calls("chat.postMessage")) == calls_before

    assert at(runtime, local(2026, 11, 30, 8, 30, 31)).posted == 2
    assert len(posted(standin, FIRST)) == 2
    assert sorted(keys(posted(standin))) == sorted(set(keys(posted(standin))))  # nothing twice
    assert at(runtime, local(2026, 11, 30, 8, 35)).posted == 0


def test_what_would_wait_past_the_ticks_budget_is_put_back_for_the_next_tick(runtime, standin):
    impatient = InProcess(runtime.container)
    impatient.deps = replace(runtime.deps, pacing=Pacing(budget=0.0))
    runtime.clock.set(local(2026, 11, 30, 8, 30))
    report = tick(impatient.deps)
    assert report.posted == 2 and report.deferred == 2  # one per channel, none waited for
    assert {c["channel"] for c in posted(standin)} == {FIRST, SECOND}
    assert tick(impatient.deps).posted == 0  # put back a second on, not claimed again at once
    runtime.clock.set(local(2026, 11, 30, 8, 30, 2))
    assert tick(impatient.deps).posted == 2
    assert len(keys(posted(standin))) == len(set(keys(posted(standin)))) == 4
