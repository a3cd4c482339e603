"""`GET /healthz` on `tandem run`: the database, and whether the scheduler is still ticking.

The last tick lives in the database, so every worker and replica (and a cron `tandem tick`)
shares it; with ticking on, a tick older than three intervals answers 503.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.support.bot_server import ROOT, BotProcess


def healthz(bot: BotProcess) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(bot: BotProcess, done: Callable[[int, dict], bool], timeout: float = 20) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = healthz(bot)
        if done(status, body) or time.monotonic() > deadline:
            return status, body
        time.sleep(0.2)


def test_healthz_shows_the_last_tick_and_503_while_the_scheduler_is_stuck(standin, tmp_path):
    path = tmp_path / "tandem.db"
    with BotProcess(standin, f"sqlite:///{path}", extra_env={"TANDEM_TICK_SECONDS": "1"}) as bot:
        status, body = wait_for(bot, lambda s, b: b.get("last_tick") is not None)
        assert status == 200 and body["ok"] and body["scheduler"] == "ticking" and body["tick_seconds"] == 1
        last = datetime.fromisoformat(body["last_tick"].replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - last) < timedelta(seconds=10)

        lock = sqlite3.connect(path, timeout=1, isolation_level=None)  # another process holds the write lock
        lock.execute("BEGIN IMMEDIATE")
        try:
            status, body = wait_for(bot, lambda s, b: s == 503)
            assert status == 503, body
            assert body["ok"] is False and body["database"] == "up" and body["scheduler"] == "late"
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        status, body = wait_for(bot, lambda s, b: s == 200)
        assert status == 200 and body["scheduler"] == "ticking"


def test_the_last_tick_is_shared_by_every_worker_and_by_cron(standin, tmp_path):
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    with BotProcess(standin, url, workers=2) as bot:  # TANDEM_TICK_SECONDS=0: cron ticks
        status, body = healthz(bot)
        assert status == 200 and body["scheduler"] == "off" and body["last_tick"] is None
        cron = subprocess.run(
            [sys.executable, "-m", "bot", "tick"],
            env={**bot.env, "DATABASE_URL": url},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert cron.returncode == 0, cron.stderr
        answers = {healthz(bot)[1]["last_tick"] for _ in range(6)}
        assert len(answers) == 1 and None not in answers  # both workers read the same row
