"""Reviews done once per cycle through signed Slack requests and the console: a second `done`
says who did it and when, adds its evidence to that cycle, and the next cycle is still reminded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app.bootstrap import import_file
from bot.clock import FixedClock
from bot.errors import TandemError
from bot.services import reviews as review_service
from bot.services.schedule import tick
from storage.store import Units
from tests.conftest import EXAMPLE
from tests.integration.test_console import console
from tests.support import slack_requests as sr

ALICE, PRIYA, SAM = "U0ALICE01", "U0PRIYA01", "U0SAM0001"
JANUARY = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))  # imported before the January test


def test_a_second_done_adds_evidence_to_the_finished_cycle(slack, standin):
    slack.clock.set(datetime(2027, 1, 6, 15, 0, tzinfo=UTC))
    first = slack.answer("/tandem", "done restore-test restored 3 files from last night's copy", ALICE)
    assert first["text"].startswith("<@U0ALICE01> completed *Backup restore test* (due <!date^")
    slack.clock.set(datetime(2027, 1, 8, 9, 0, tzinfo=UTC))
    second = slack.answer("/tandem", "done restore-test checked the restore log too", PRIYA)
    assert second["response_type"] == "in_channel"
    assert "was already done by <@U0ALICE01> on Wed 06 Jan." in second["text"]
    assert "<@U0PRIYA01>'s evidence is added to it: checked the restore log too" in second["text"]
    bare = slack.answer("/tandem", "done restore-test", SAM)
    assert bare["response_type"] == "ephemeral" and "Nothing changed" in bare["text"]
    with slack.container.deps.units() as store:
        completions = store.completions("harbour-finch", "restore-test")
        record = store.completion("harbour-finch", "restore-test", JANUARY)
        kinds = [e.kind for e in store.audit_events("harbour-finch", "review.")]
    assert completions == frozenset({JANUARY}) and record is not None and record.done_by == ALICE
    assert record.evidence == (
        "restored 3 files from last night's copy\n2027-01-08 09:00 Priya Shah (U0PRIYA01): checked the restore log too"
    )
    assert kinds == ["review.done", "review.evidence"]
    standin.reset()
    tick(
        slack.container.deps, datetime(2027, 4, 5, 7, 0, tzinfo=UTC)
    )  # April's reminder: 3 days ahead is Sunday, so Monday 08:00
    posts = [c["text"] for c in standin.calls("chat.postMessage")]
    assert any(p.startswith(":calendar: Coming up: *Backup restore test* is due") for p in posts), posts


def test_the_mark_done_button_on_a_finished_cycle_says_so(slack, standin):
    slack.clock.set(datetime(2027, 1, 6, 15, 0, tzinfo=UTC))
    slack.answer("/tandem", "done restore-test all good", ALICE)
    submit = sr.view_submission(
        "review_done_evidence",
        {"evidence": {"evidence": "screenshots in the ticket"}},
        user_id=PRIYA,
        private_metadata='{"review": "restore-test", "due_at": "2027-01-06T10:00:00+00:00", "channel": "C0SHARED01", "ts": null}',
    )
    assert slack.send(submit)[0] == 200
    [said] = [c for c in standin.wait_for("chat.postMessage") if "already done" in c["text"]]
    assert "was already done by <@U0ALICE01> on Wed 06 Jan." in said["text"]


def test_the_console_says_who_did_it_already(tmp_path):
    script = ":as priya\n/tandem done restore-test restored the CAD share\n:as sam\n/tandem done restore-test and checked it\n"
    run = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    # imported today: October's test was never announced, and is the one this completes
    assert "@Priya Shah completed Backup restore test (due Wed 07 Oct 10:00 BST): restored the CAD share" in run.stdout
    assert "was already done by @Priya Shah on Tue 01 Dec. @Sam Lee's evidence is added to it: and checked it" in (
        run.stdout
    )


def test_a_review_not_due_yet_says_when_it_can_be_done(db, tmp_path):
    text = EXAMPLE.read_text().replace(
        'schedule: "FREQ=MONTHLY;BYDAY=-1TU;BYHOUR=14"',
        'schedule: "DTSTART:20270105T140000 RRULE:FREQ=MONTHLY;BYDAY=-1TU;BYHOUR=14"',
    )
    path = tmp_path / "future.yml"
    path.write_text(text)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    import_file(db, path, "test", FixedClock(now))
    units = Units(db)
    with units() as store, pytest.raises(TandemError) as refusal:
        review_service.complete(store, store.load_matrix("harbour-finch"), "service-review", PRIYA, "early", now)
    assert str(refusal.value) == (
        "'Monthly service review with Red Kite IT' is not due until Tue 26 Jan 2027 14:00: "
        "it can be marked done from Sat 23 Jan 2027, when its reminder is posted."
    )


def test_a_mistyped_review_is_told_the_closest_key_and_nothing_is_done(tmp_path):
    run = console(
        tmp_path, ":as priya\n/tandem done restore-tset restored the CAD share\n", "--at", "2026-12-01T10:00:00+00:00"
    )
    assert run.returncode == 0, run.stderr
    assert "There is no review 'restore-tset'. Did you mean `restore-test`?" in run.stdout, run.stdout
    assert "completed" not in run.stdout
