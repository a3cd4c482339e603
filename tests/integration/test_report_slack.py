"""`/tandem report` through signed Slack requests against the stand-in, and in the console:
the page is shared as a file after the acknowledgement, by admins only."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from tests.conftest import EXAMPLE

ALICE, PRIYA, SAM = "U0ALICE01", "U0PRIYA01", "U0SAM0001"
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DRAWN = 90.0  # seconds: drawing the page takes a few on an idle machine, many more on a loaded one


@pytest.fixture
def slack(slack_at):
    return slack_at(WEDNESDAY_10AM)


def test_an_admin_shares_this_months_review_after_the_acknowledgement(slack, standin):
    slack.answer("/handoff", "P2 backups: last night's <b>Veeam</b> job failed", ALICE)
    slack.answer("/handoff", "P3 provider: new VPN user for Leeds", ALICE)
    status, ack = slack.command("/tandem", "report this", PRIYA, reply_to="review")
    assert status == 200 and ack == {}  # the page is drawn after the acknowledgement
    reply = standin.wait_for_response("review", timeout=DRAWN)[-1].body
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Service review for Harbour &amp; Finch Architects, December 2026."
    standin.wait_for("files.completeUploadExternal", timeout=DRAWN)
    [upload] = standin.uploads.values()
    assert upload.filename == "tandem-review-harbour-finch-20261201-20261231.html"
    assert upload.channel_id == "C0SHARED01" and upload.completed
    assert upload.initial_comment.startswith(
        "Service review for Harbour &amp; Finch Architects, December 2026: In December 2026, 2 handoffs opened"
    )
    page = upload.content.decode()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 9
    assert "last night&#x27;s &lt;b&gt;Veeam&lt;/b&gt; job failed" not in page  # not breached: not listed
    assert "<b>Veeam</b>" not in page


def test_the_review_is_for_admins_and_a_bad_period_is_a_sentence(slack, standin):
    refused = slack.answer("/tandem", "report", SAM)
    assert "Only a matrix admin can share the service review" in refused["text"]
    bad = slack.answer("/tandem", "report 2026-13", PRIYA)
    assert "'2026-13' has no month 13: write a month as 2026-11, a quarter as 2026-Q4" in bad["text"]
    assert standin.calls("files.getUploadURLExternal") == []


def test_the_console_shares_it_too(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}"}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--matrix", str(EXAMPLE), "--at", "2026-12-02T10:00:00+00:00"],
        input="/tandem report 2026-11\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "file tandem-review-harbour-finch-20261101-20261130.html" in run.stdout
    # the comment as a reader sees it, Slack's escaping undone as for every other post
    assert "Service review for Harbour & Finch Architects, November 2026: In November 2026, no handoff was opened." in (
        run.stdout
    )
    assert "&amp;" not in run.stdout
    assert "0 of 2 reviews due were done on time (2 overdue)." in run.stdout
