"""The matrix sign-off through signed Slack requests: an import that changes who owns what is
posted with Confirm, one admin of each side confirms, and every surface shows it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.bootstrap import import_file
from bot.services import report as report_service
from bot.services.schedule import tick
from storage.store import Units
from tests.conftest import EXAMPLE
from tests.support import slack_requests as sr

CHANNEL = "C0SHARED01"
ALICE, BEN, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001"
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(WEDNESDAY_10AM)


def reimport(slack, tmp_path, at: datetime) -> None:
    """The backups area moves to the internal side, imported from the command line."""
    changed = tmp_path / "changed.yml"
    text = EXAMPLE.read_text()
    old = "    aliases: [backup, backup jobs, veeam, offsite copies]\n    responsible: provider\n"
    assert old in text
    changed.write_text(text.replace(old, old.replace("responsible: provider", "responsible: internal")))
    slack.clock.at = at
    import_file(slack.db, changed, "cli", slack.clock)


def confirm_message(slack, standin, tmp_path) -> str:
    reimport(slack, tmp_path, WEDNESDAY_10AM)
    tick(slack.container.deps, WEDNESDAY_10AM)
    [post] = standin.wait_for("chat.postMessage")
    text = json.dumps(post.blocks, ensure_ascii=False)
    assert "changed who owns what in 1 area" in text
    assert "area 'backups' responsible: provider → internal" in text
    assert f"waiting for an admin (<@{ALICE}>)" in text and f"waiting for an admin (<@{PRIYA}>)" in text
    [button] = [e for b in post.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("matrix_confirm", "2")  # 1: the first import
    return post.reply["ts"]


def press(slack, standin, ts: str, user: str) -> None:
    request = sr.block_actions(
        "matrix_confirm",
        "2",
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("press"),
        message=standin.message(CHANNEL, ts),
    )
    assert slack.send(request)[0] == 200


def test_an_import_that_moves_an_area_is_confirmed_by_one_admin_of_each_side(slack, standin, tmp_path):
    ts = confirm_message(slack, standin, tmp_path)
    tick(slack.container.deps, WEDNESDAY_10AM + timedelta(minutes=1))
    assert len(standin.calls("chat.postMessage")) == 1  # posted once
    press(slack, standin, ts, ALICE)
    [first] = standin.wait_for("chat.update")
    assert f"confirmed by <@{ALICE}>" in json.dumps(first.blocks) and "matrix_confirm" in json.dumps(first.blocks)
    thread = standin.wait_for("chat.postMessage", count=2)[-1]
    assert thread["thread_ts"] == ts and thread["text"] == f"<@{ALICE}> confirmed this for Harbour &amp; Finch IT."
    press(slack, standin, ts, PRIYA)
    second = standin.wait_for("chat.update", count=2)[-1]
    shown = json.dumps(second.blocks)
    assert "Confirmed by both sides" in shown and "matrix_confirm" not in shown
    # Priya's line in the thread, posted after the update: awaited, or the next test counts it
    assert standin.wait_for("chat.postMessage", count=3)[-1]["text"].endswith("Both sides have confirmed it.")
    owner = slack.answer("/owner", "backups", SAM)
    assert f"Last confirmed Wed 02 Dec by <@{ALICE}> and <@{PRIYA}>" in json.dumps(owner["blocks"])
    area = slack.answer("/tandem", "matrix backups", BEN)
    assert f"Last confirmed Wed 02 Dec by <@{ALICE}> and <@{PRIYA}>" in json.dumps(area["blocks"])
    summary = json.dumps(slack.answer("/tandem", "matrix", BEN)["blocks"], ensure_ascii=False)
    assert "(`backups`)" in summary and "· confirmed" in summary.split("(`backups`)")[1].split("\\n")[0]


def test_anyone_but_an_admin_and_a_second_press_of_a_side_are_refused(slack, standin, tmp_path):
    ts = confirm_message(slack, standin, tmp_path)
    press(slack, standin, ts, BEN)
    press(slack, standin, ts, SAM)
    told = standin.wait_for("chat.postEphemeral", count=2)
    assert all(t["text"].startswith("Only an admin of each side confirms the matrix") for t in told)
    assert not standin.calls("chat.update")
    press(slack, standin, ts, ALICE)
    standin.wait_for("chat.update")
    press(slack, standin, ts, ALICE)
    again = standin.wait_for("chat.postEphemeral", count=3)[-1]
    assert again["text"] == (
        f"<@{ALICE}> already confirmed this for Harbour &amp; Finch IT. Your click changed nothing."
    )
    assert len(standin.calls("chat.update")) == 1


def test_an_unconfirmed_change_is_a_gap_after_three_working_days_and_in_the_digest(slack, standin, tmp_path):
    confirm_message(slack, standin, tmp_path)
    slack.clock.at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Wed from 10:00, Thu, Fri, Monday till 12:00
    gaps = json.dumps(slack.answer("/tandem", "gaps", BEN)["blocks"])
    assert "matrix change #1 (areas " in gaps and "who owns them is unconfirmed for over 3 working days" in gaps
    assert "waiting for Harbour &amp; Finch IT and Red Kite IT" in gaps
    slack.answer("/tandem", "digest", ALICE)
    digest = json.dumps(standin.wait_for("chat.postMessage", count=2)[-1].blocks)
    assert "*Matrix sign-off*" in digest and "matrix change #1 (areas " in digest
    others = gaps.count("\\u2022") - 1  # the bullets `/tandem gaps` lists, less the sign-off one the digest lists
    assert (f"{others} other gap" if others else "No other gaps in the matrix") in digest, digest


def test_both_sides_confirm_the_whole_matrix_with_the_command(slack, standin):
    refused = slack.answer("/tandem", "confirm", BEN)
    assert "Only a matrix admin can confirm the matrix" in refused["text"]
    first = slack.answer("/tandem", "confirm", PRIYA)  # the first import waits for both sides
    assert (
        first["text"]
        == "You confirmed matrix change #1 for Red Kite IT. It waits for an admin of Harbour &amp; Finch IT."
    )
    [post] = standin.wait_for("chat.postMessage")
    assert "every area as it stands" in json.dumps(post.blocks) and f"confirmed by <@{PRIYA}>" in json.dumps(
        post.blocks
    )
    again = slack.answer("/tandem", "confirm", PRIYA)
    assert "already confirmed the matrix for your side" in again["text"]
    done = slack.answer("/tandem", "confirm", ALICE)
    assert done["text"].endswith("1 now confirmed by both sides.")
    standin.wait_for("chat.update")
    assert "Confirmed by both sides" in json.dumps(standin.calls("chat.update")[-1].blocks)
    slack.answer("/tandem", "evidence backups", ALICE)
    standin.wait_for("files.completeUploadExternal")
    [upload] = standin.uploads.values()
    content = upload.content.decode() if isinstance(upload.content, bytes) else upload.content
    rows = [r for r in csv.DictReader(io.StringIO(content)) if r["kind"] == "matrix.confirm"]
    assert [(r["actor"], json.loads(r["detail"])["side"]) for r in rows] == [(PRIYA, "provider"), (ALICE, "internal")]


def test_the_service_review_reads_when_both_sides_confirmed_each_area(slack, standin):
    slack.answer("/tandem", "confirm", PRIYA)
    slack.answer("/tandem", "confirm", ALICE)
    with Units(slack.db)() as store:
        matrix = store.load_matrix("harbour-finch")
        assert matrix is not None
        period = report_service.period_for(matrix, "", WEDNESDAY_10AM)
        confirmed = report_service.history(store, matrix, period, WEDNESDAY_10AM).confirmed
    assert set(confirmed) == {a.key for a in matrix.areas} and set(confirmed.values()) == {WEDNESDAY_10AM}
