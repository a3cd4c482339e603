"""`GET /healthz` on `tandem run`: the database, and whether the scheduler is still ticking.

The last tick lives in the database, so every worker and replica (and a cron `tandem tick`)
shares it; with ticking on, a tick older than three intervals answers 503.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.support.bot_server import ROOT, BotProcess


def test_healthz_shows_the_last_tick_and_503_while_the_scheduler_is_stuck(standin, tmp_path):
    path = tmp_path / "tandem.db"
    with BotProcess(standin, f"sqlite:///{path}", extra_env={"TANDEM_TICK_SECONDS": "1"}) as bot:
        status, body = bot.wait_for_health(lambda s, b: b.get("last_tick") is not None)
        assert status == 200 and body["ok"] and body["scheduler"] == "ticking" and body["tick_seconds"] == 1
        last = datetime.fromisoformat(body["last_tick"].replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - last) < timedelta(seconds=10)

        lock = sqlite3.connect(path, timeout=1, isolation_level=None)  # another process holds the write lock
        lock.execute("BEGIN IMMEDIATE")
        try:
            status, body = bot.wait_for_health(lambda s, b: s == 503)
            assert status == 503, body
            assert body["ok"] is False and body["database"] == "up" and body["scheduler"] == "late"
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        status, body = bot.wait_for_health(lambda s, b: s == 200)
        assert status == 200 and body["scheduler"] == "ticking"


def test_the_last_tick_is_shared_by_every_worker_and_by_cron(standin, tmp_path):
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    with BotProcess(standin, url, workers=2) as bot:  # TANDEM_TICK_SECONDS=0: cron ticks
        status, body = bot.health()
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
        answers = {bot.health()[1]["last_tick"] for _ in range(6)}
        assert len(answers) == 1 and None not in answers  # both workers read the same row
