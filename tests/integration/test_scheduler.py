"""Scheduled posts with the clock set: SLA thresholds and breaches, review cadences, digests,
retries of failed posts and interrupted sends; the stand-in records exactly what was posted."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app.bootstrap import import_file
from bot.app.settings import Settings
from bot.app.slack import slack_container
from bot.clock import FixedClock
from bot.grammar import Command, parse_command
from bot.services.posts import post_occurrence
from bot.services.schedule import LEASE, plan, tick
from storage.db import Database
from tests.conftest import EXAMPLE
from tests.support.in_process import InProcess

LONDON = ZoneInfo("Europe/London")
CHANNEL = "C0SHARED01"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def runtime(standin, tmp_path):
    standin.reset()
    clock = FixedClock(local(2026, 11, 30, 7, 0))  # Monday, before the digest
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 's.db'}", bot_token=standin.token, api_url=standin.base_url
    )
    db = Database(settings.database_url)
    db.upgrade()
    runtime = InProcess(slack_container(settings, db, clock))
    import_file(db, EXAMPLE, "test", clock)
    yield runtime
    db.dispose()


def at(runtime, when: datetime):
    runtime.clock.set(when)
    return tick(runtime.deps)


def texts(standin) -> list[str]:
    """What reached the channel (refused calls are not posts)."""
    return [c["text"] for c in standin.calls("chat.postMessage") if c.reply.get("ok")]


def open_handoff(runtime, text: str, user: str = "U0ALICE01"):
    handoff, _ = runtime.open_handoff(parse_command("/handoff", text), user, CHANNEL)
    return handoff


def test_sla_warnings_and_breach_each_once(runtime, standin):
    at(runtime, local(2026, 11, 30, 8, 59))
    standin.reset()
    handoff = quiet_morning_handoff(runtime)
    standin.reset()
    assert at(runtime, local(2026, 11, 30, 9, 44)).planned == 0
    report = at(runtime, local(2026, 11, 30, 9, 45))
    assert report.posted == 1, texts(standin)  # 75% of 1 h to respond
    assert at(runtime, local(2026, 11, 30, 9, 50)).posted == 0
    assert at(runtime, local(2026, 11, 30, 9, 54)).posted == 1  # 90%
    assert at(runtime, local(2026, 11, 30, 10, 0)).posted == 2  # breach: thread reply, channel post: one each
    assert at(runtime, local(2026, 11, 30, 10, 5)).posted == 0
    posts = standin.calls("chat.postMessage")
    assert len(posts) == 4
    warn75, warn90, breach_thread, breach_channel = posts
    assert warn75["thread_ts"] == handoff.ts and "75% of the first response time" in warn75["text"]
    assert "<@U0PRIYA01>" in warn75["text"] and "90%" in warn90["text"]
    assert "breached" in breach_thread["text"] and "thread_ts" not in breach_channel.body
    assert "SLA breach" in breach_channel["text"] and "escalation: <@U0PRIYA01>" in breach_channel["text"]
    assert all(p.arg("metadata")["event_payload"]["occurrence"].startswith(f"sla:{handoff.id}:respond:") for p in posts)


def test_missed_warnings_collapse_into_the_breach(runtime, standin):
    at(runtime, local(2026, 11, 30, 9, 0))  # the morning's digests go out first
    open_handoff(runtime, "P2 provider: printer driver")
    standin.reset()
    report = at(runtime, local(2026, 11, 30, 12, 0))  # down all morning
    assert report.posted == 2 and len(standin.calls("chat.postMessage")) == 2  # breach only: thread + channel
    assert "breached" in standin.calls("chat.postMessage")[0]["text"]


def test_a_handoff_breached_twice_while_down_posts_its_breaches_in_the_order_they_happened(runtime, standin):
    """A P2 opened at 09:00 misses its first response at 10:00 and its resolution at 17:00; a
    tick the next morning posts the first response's breach first, each in the thread and channel."""
    at(runtime, local(2026, 11, 30, 9, 0))
    open_handoff(runtime, "P2 provider: the file server is read-only")
    standin.reset()
    at(runtime, local(2026, 12, 1, 8, 30))
    breaches = [text for text in texts(standin) if "target" in text]
    assert len(breaches) == 4, texts(standin)
    assert ["first response" in t for t in breaches] == [True, True, False, False], breaches
    assert all("resolution" in t for t in breaches[2:]), breaches


def test_acknowledged_handoff_stops_respond_alerts(runtime, standin):
    at(runtime, local(2026, 11, 30, 9, 0))
    handoff = open_handoff(runtime, "P2 provider: new starter laptop")
    runtime.clock.set(local(2026, 11, 30, 9, 30))
    runtime.act(handoff.id, "take", "U0SAM0001", CHANNEL)
    standin.reset()
    assert at(runtime, local(2026, 11, 30, 10, 30)).posted == 0
    at(runtime, local(2026, 11, 30, 15, 0))  # resolve: 8 business hours → 75% at 15:00
    [warning] = standin.calls("chat.postMessage")
    assert "<@U0SAM0001>" in warning["text"] and "75% of the resolution time" in warning["text"]


def test_review_cadence_reminder_due_and_done(runtime, standin):
    # restore-test: FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;BYHOUR=10 → Wed 2027-01-06 10:00, reminded 3 days
    # before: Sunday, so at Monday's opening, 08:00
    at(runtime, local(2027, 1, 4, 7, 59))
    assert not [t for t in texts(standin) if "Backup restore test" in t]  # not on the Sunday
    standin.reset()
    at(runtime, local(2027, 1, 4, 8, 0))
    reminders = [t for t in texts(standin) if "Backup restore test" in t]
    assert len(reminders) == 1 and "Coming up" in reminders[0]
    standin.reset()
    at(runtime, local(2027, 1, 6, 10, 0))
    [due] = [c for c in standin.calls("chat.postMessage") if "Backup restore test" in c["text"]]
    assert due["text"].startswith(":clipboard: Due: *Backup restore test*") and "review_mark_done" in str(due.blocks)
    reply = runtime.answer(
        parse_command("/tandem", "done restore-test restored payroll share to a test VM"), "U0PRIYA01", CHANNEL
    )
    assert "completed *Backup restore test*" in reply.text
    standin.reset()
    at(runtime, local(2027, 1, 8, 10, 0))
    assert not [t for t in texts(standin) if "Backup restore test" in t]  # done: no overdue, no escalation


def test_overdue_review_escalates_to_the_accountable_person(runtime, standin):
    at(runtime, local(2027, 1, 6, 10, 0))
    standin.reset()
    at(runtime, local(2027, 1, 11, 10, 0))  # grace 5d for restore-test
    [post] = [t for t in texts(standin) if "Backup restore test" in t]
    assert "Escalating to <@U0ALICE01>" in post


def test_daily_digest_once_and_one_after_downtime(runtime, standin):
    standin.reset()
    at(runtime, local(2026, 12, 1, 8, 30))
    at(runtime, local(2026, 12, 1, 8, 45))
    digests = [t for t in texts(standin) if t.startswith("Daily digest")]
    assert len(digests) == 1
    standin.reset()
    at(runtime, local(2026, 12, 8, 9, 0))  # a week away: one daily digest, one weekly
    posted = texts(standin)
    assert len([t for t in posted if t.startswith("Daily digest")]) == 1
    assert len([t for t in posted if t.startswith("Weekly SLA digest")]) == 1


def test_a_tick_prunes_sent_posts_past_their_retention(runtime, standin):
    at(runtime, local(2026, 12, 1, 8, 30))
    key = "digest:harbour-finch:daily:2026-12-01"
    with runtime.unit() as store:
        assert key in store.posted_keys("harbour-finch", "digest:")
    assert at(runtime, local(2027, 2, 1, 8, 30)).pruned == 0  # 62 days: still kept
    assert at(runtime, local(2027, 3, 2, 8, 30)).pruned >= 1  # past 90 days: gone
    with runtime.unit() as store:
        assert key not in store.posted_keys("harbour-finch", "digest:")


def test_no_digest_on_weekends_or_holidays(runtime, standin):
    at(runtime, local(2026, 12, 24, 9, 0))
    standin.reset()
    for day in (25, 26, 27, 28):
        at(runtime, local(2026, 12, day, 12, 0))
    assert not [t for t in texts(standin) if t.startswith("Daily digest")]
    at(runtime, local(2026, 12, 29, 8, 30))
    assert len([t for t in texts(standin) if t.startswith("Daily digest")]) == 1


def test_failed_post_is_retried_on_the_next_tick(runtime, standin):
    at(runtime, local(2026, 12, 1, 8, 0))
    standin.reset()
    standin.fail("chat.postMessage", "internal_error", times=1)
    report = at(runtime, local(2026, 12, 1, 8, 30))
    assert report.failed == 1 and report.posted == 0
    report = at(runtime, local(2026, 12, 1, 8, 31))
    assert report.posted == 1 and len([t for t in texts(standin) if t.startswith("Daily digest")]) == 1


def claim_the_digest_then_die(runtime, standin):
    """Plan Tuesday's digest and lease it for delivery, as a tick that is about to be killed would."""
    at(runtime, local(2026, 12, 1, 8, 0))
    standin.reset()
    runtime.clock.set(local(2026, 12, 1, 8, 30))
    plan(runtime.deps, runtime.clock.now())
    with runtime.unit() as store:
        [item] = store.claim_deliveries(runtime.clock.now(), LEASE, 10)
    return item


def test_interrupted_send_is_not_posted_twice(runtime, standin):
    """A tick died after posting but before recording it: the next one finds the post in Slack."""
    item = claim_the_digest_then_die(runtime, standin)
    post_occurrence(runtime.deps, item, runtime.clock.now())  # posted, then the process died
    assert len(standin.calls("chat.postMessage")) == 1
    report = at(runtime, local(2026, 12, 1, 8, 31))  # lease still held: nothing happens
    assert (report.posted, report.skipped) == (0, 0)
    report = at(runtime, local(2026, 12, 1, 8, 40))  # lease expired: checked, found, not re-posted
    assert (report.posted, report.skipped) == (0, 1)
    assert len(standin.calls("chat.postMessage")) == 1


def test_interrupted_send_that_never_landed_is_posted(runtime, standin):
    claim_the_digest_then_die(runtime, standin)  # died before posting
    report = at(runtime, local(2026, 12, 1, 8, 40))
    assert (report.posted, report.skipped) == (1, 0)
    assert len([t for t in texts(standin) if t.startswith("Daily digest")]) == 1


def test_digest_now_and_reviews_list(runtime, standin):
    runtime.clock.set(local(2027, 1, 4, 9, 0))
    reply = runtime.answer(Command("digest"), "U0ALICE01", CHANNEL)
    assert "Posted the digest" in reply.text
    [post] = standin.calls("chat.postMessage")
    assert post["text"].startswith("Daily digest for Harbour &amp; Finch Architects")
    listing = runtime.answer(Command("reviews"), "U0ALICE01", CHANNEL)
    body = str(listing.blocks)
    assert "Backup restore test" in body and "— due <!date^" in body


def test_installing_mid_cycle_announces_nothing_old(runtime, standin):
    """Reviews that fell due before the matrix was imported are not reported as overdue."""
    at(runtime, local(2026, 11, 30, 7, 1))
    assert [t for t in texts(standin) if "Overdue" in t or "Escalating" in t or t.startswith(":clipboard: Due:")] == []
    listing = str(runtime.answer(Command("reviews"), "U0ALICE01", CHANNEL).blocks)
    assert "overdue since" not in listing


def test_a_reimport_just_after_digest_time_does_not_lose_the_digest(runtime, standin, tmp_path):
    at(runtime, local(2026, 11, 30, 9, 0))  # Monday's digests are out
    runtime.clock.set(local(2026, 12, 1, 8, 30, 10))  # Tuesday, the digest is due, no tick yet
    changed = tmp_path / "changed.yml"
    changed.write_text(EXAMPLE.read_text().replace("name: Harbour & Finch Architects", "name: Harbour and Finch"))
    import_file(runtime.db, changed, "test", runtime.clock)
    standin.reset()
    at(runtime, local(2026, 12, 1, 8, 30, 30))
    assert [t for t in texts(standin) if t.startswith("Daily digest")] == [
        "Daily digest for Harbour and Finch, Tue 01 Dec: all clear — no open handoffs, "
        "no reviews overdue or due in the next 7 days, everyone in."
    ]


def test_new_sla_targets_reschedule_open_handoffs(runtime, standin, tmp_path):
    at(runtime, local(2026, 11, 30, 9, 0))
    open_handoff(runtime, "P2 provider: VPN drops every hour")
    changed = tmp_path / "sla.yml"
    changed.write_text(EXAMPLE.read_text().replace("P2: {respond: 1h, resolve: 8h}", "P2: {respond: 2h, resolve: 8h}"))
    import_file(runtime.db, changed, "test", runtime.clock)
    standin.reset()
    assert at(runtime, local(2026, 11, 30, 9, 45)).posted == 0  # 75% of the old hour: no longer a threshold
    assert at(runtime, local(2026, 11, 30, 10, 30)).posted == 1  # 75% of the new two hours
    assert "75% of the first response time" in texts(standin)[0]


def test_concurrent_ticks_on_sqlite_wait_their_turn(standin, tmp_path):
    """Four cron ticks at once on one SQLite file: none fails on a lock, each post goes out once."""
    from datetime import timedelta

    from tests.integration.test_scheduler_postgres import seed, ticks

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    opened = local(2026, 12, 1, 9, 0)
    seed(standin, url, local(2026, 11, 30, 7, 0), opened, 60)
    standin.reset()
    runs = ticks(standin, url, opened + timedelta(hours=1, minutes=1), 4)
    assert [r.returncode for r in runs] == [0, 0, 0, 0], [r.stderr[-500:] for r in runs]
    keys = [
        c.arg("metadata")["event_payload"]["occurrence"]
        for c in standin.calls("chat.postMessage")
        if c.reply.get("ok") and c.body.get("thread_ts")
    ]
    assert len(keys) == 60 and len(set(keys)) == 60


def root_of(standin, handoff) -> str:
    """The handoff's root message as the channel shows it now, its blocks as text."""
    return json.dumps(standin.message(CHANNEL, handoff.ts)["blocks"], ensure_ascii=False)


def quiet_morning_handoff(runtime):
    """Monday's digests out of the way, a P2 for the provider at 09:00 (respond within 1 h)."""
    at(runtime, local(2026, 11, 30, 8, 59))
    runtime.clock.set(local(2026, 11, 30, 9, 0))
    return open_handoff(runtime, "P2 provider: VPN drops every hour")


def test_the_root_message_shows_each_threshold_and_the_breach(runtime, standin):
    handoff = quiet_morning_handoff(runtime)
    assert "(0% used)" in root_of(standin, handoff)
    report = at(runtime, local(2026, 11, 30, 9, 45))
    assert (report.posted, report.updated) == (1, 1)
    [update] = standin.calls("chat.update")
    assert update["ts"] == handoff.ts and update["channel"] == CHANNEL
    assert "*Respond*\\ndue " in root_of(standin, handoff) and "(75% used)" in root_of(standin, handoff)
    assert "(0% used)" not in root_of(standin, handoff).split("*Resolve*")[0]
    at(runtime, local(2026, 11, 30, 9, 54))
    assert "(90% used)" in root_of(standin, handoff)
    at(runtime, local(2026, 11, 30, 10, 1))
    assert "*Respond*\\n:red_circle: breached (was due" in root_of(standin, handoff)
    assert len(standin.calls("chat.update")) == 3  # 75 %, 90 %, breach: one refresh each


def test_a_failed_root_refresh_is_retried_without_posting_the_alert_again(runtime, standin):
    handoff = quiet_morning_handoff(runtime)
    posted = len(standin.calls("chat.postMessage"))
    standin.fail("chat.update", "internal_error", times=1)
    report = at(runtime, local(2026, 11, 30, 9, 45))
    assert (report.posted, report.updated, report.failed) == (1, 0, 1)
    assert "(0% used)" in root_of(standin, handoff)
    report = at(runtime, local(2026, 11, 30, 9, 46))
    assert (report.posted, report.updated, report.failed) == (0, 1, 0)
    assert "(76% used)" in root_of(standin, handoff)  # rendered when it was made, not when planned
    assert len(standin.calls("chat.postMessage")) == posted + 1  # the 75 % warning, once


def test_a_step_taken_during_a_root_refresh_is_what_the_root_shows(runtime, standin):
    """The tick renders the root and Slack holds its update back (429) while an engineer
    acknowledges: the step waits for the refresh in hand, so its own update lands last and
    the tick's older render never goes on top."""
    handoff = quiet_morning_handoff(runtime)
    standin.rate_limit("chat.update", times=1, retry_after=2)
    runtime.clock.set(local(2026, 11, 30, 9, 45))
    ticking = threading.Thread(target=tick, args=(runtime.deps,))
    ticking.start()
    standin.wait_for("chat.update", 1)  # the tick's refresh, held back
    runtime.act(handoff.number, "acknowledge", "U0SAM0001", CHANNEL)
    ticking.join(timeout=30)
    root = root_of(standin, handoff)
    assert ":eyes: Acknowledged" in root and "v2" in root and "<@U0SAM0001>" in root
    assert len(standin.calls("chat.update")) == 3  # held back, the tick's retry, then the step's
