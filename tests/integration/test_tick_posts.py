"""Scheduled posts as cron makes them: `tandem tick --at` in a subprocess against the Slack
stand-in, on a database the console filled with handoffs first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.support.slack_standin import SlackStandIn


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


class Org:
    """One organisation's database, driven by the console and by `tandem tick`."""

    def __init__(self, tmp_path: Path, standin: SlackStandIn, matrix: Path = EXAMPLE) -> None:
        self.tmp_path, self.standin, self.matrix = tmp_path, standin, matrix
        self.env = {**os.environ, **standin.env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'org.db'}"}
        self.env.pop("TANDEM_MATRIX", None)
        standin.reset()

    def run(self, *args: str, script: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=script,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.tmp_path,
            timeout=120,
            check=False,
        )

    def console(self, at: str, script: str) -> str:
        run = self.run("console", "--matrix", str(self.matrix), "--at", at, script=script)
        assert run.returncode == 0, run.stderr
        return run.stdout

    def tick(self, at: str) -> list[dict]:
        """Run one tick at `at`; what it posted in Slack, each as {"text", "blocks", "thread_ts"}."""
        self.standin.reset()
        run = self.run("tick", "--at", at)
        assert run.returncode == 0, run.stderr
        return [
            {"text": c["text"], "blocks": json.dumps(c.blocks, ensure_ascii=False), "thread_ts": c.get("thread_ts")}
            for c in self.standin.calls("chat.postMessage")
            if c.reply.get("ok")
        ]


def test_a_resolution_breach_names_the_resolve_deadline(tmp_path, standin):
    org = Org(tmp_path, standin)
    org.console("2026-11-30T09:00:00+00:00", "/handoff P2 provider: the VPN drops every hour\n")
    posts = org.tick("2026-11-30T17:01:00+00:00")  # never answered: respond due 10:00, resolve due 17:00
    [breach] = [p for p in posts if p["thread_ts"] is None and "resolution target" in p["text"]]
    assert "|Mon 30 Nov 17:00 GMT>" in breach["text"] and "10:00" not in breach["text"]
    assert "resolve: :red_circle: breached (was due <!date^" in breach["blocks"]
    assert "|Mon 30 Nov 17:00 GMT>)" in breach["blocks"] and "10:00 GMT" not in breach["blocks"]
    [thread] = [p for p in posts if p["thread_ts"] and "resolution" in p["text"]]
    assert "is breached (due <!date^" in thread["text"] and "|Mon 30 Nov 17:00 GMT>)" in thread["text"]


def digests(posts: list[dict], kind: str = "Daily digest") -> list[dict]:
    return [p for p in posts if p["text"].startswith(kind)]


def test_a_quiet_morning_is_all_clear_in_one_line_or_nothing(tmp_path, standin):
    org = Org(tmp_path, standin)
    org.console("2026-12-01T07:00:00+00:00", "/tandem matrix\n")
    [daily] = digests(org.tick("2026-12-01T08:31:00+00:00"))
    assert daily["text"] == (
        "Daily digest for Harbour &amp; Finch Architects, Tue 01 Dec: all clear — no open handoffs, "
        "no reviews overdue or due in the next 7 days, everyone in."
    )
    [line] = json.loads(daily["blocks"])  # one line, the contract's hours in it
    assert line["text"]["text"] == f":white_check_mark: {daily['text']} *Hours:* 20h left of 20h in December 2026."
    [soon] = digests(org.tick("2026-12-04T08:31:00+00:00"))  # Friday: patch verification is due on the 10th
    upcoming = next(b["text"]["text"] for b in json.loads(soon["blocks"]) if "next 7 days" in str(b))
    assert upcoming.startswith("*Reviews due in the next 7 days*\n• Monthly patch verification — due <!date^")
    assert "|Thu 10 Dec 10:00 GMT>" in upcoming and "Reviews overdue" not in soon["blocks"]
    skipping = tmp_path / "skip"
    skipping.mkdir()
    quiet = skipping / "matrix.yml"
    quiet.write_text(EXAMPLE.read_text().replace('digest: {time: "08:30"}', 'digest: {time: "08:30", quiet: skip}'))
    silent = Org(skipping, standin, quiet)
    silent.console("2026-12-01T07:00:00+00:00", "/tandem matrix\n")
    assert digests(silent.tick("2026-12-01T08:31:00+00:00")) == []
    assert digests(silent.tick("2026-12-01T08:45:00+00:00")) == []  # skipped once, not retried
    silent.console("2026-12-01T09:00:00+00:00", "/handoff P3 provider: the plotter needs a new drum\n")
    [busy] = digests(silent.tick("2026-12-02T08:31:00+00:00"))  # something to report: posted
    assert busy["text"].startswith("Daily digest for Harbour &amp; Finch Architects: 1 open handoff, 1 breached")


def test_the_daily_digest_lists_what_is_overdue_apart_from_the_next_7_days(tmp_path, standin):
    org = Org(tmp_path, standin)
    org.console("2026-09-01T07:00:00+00:00", "/tandem matrix\n")  # installed in September: October's reviews pass
    [daily] = digests(org.tick("2026-12-01T08:31:00+00:00"))
    shown = json.loads(daily["blocks"])
    texts = [b["text"]["text"] for b in shown if b["type"] == "section"]
    overdue = next(t for t in texts if t.startswith("*Reviews overdue*"))
    assert "• Backup restore test — overdue since <!date^" in overdue and "|Wed 07 Oct 10:00 BST>" in overdue
    assert "• Monthly patch verification — overdue since <!date^" in overdue
    assert "Reviews this week" not in daily["blocks"] and "due, due" not in daily["blocks"]
    assert "Reviews due in the next 7 days" not in daily["blocks"]  # the next, on 10 Dec, is 9 days off
