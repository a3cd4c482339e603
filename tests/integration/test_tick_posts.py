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
