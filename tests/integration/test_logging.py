"""The log of `tandem run`: one line per start and per problem, TANDEM_LOG_LEVEL, JSON lines.

Each test runs the real server against the Slack stand-in and reads everything it wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess


def ticks_then_stops(bot: BotProcess, standin, beats: int = 3) -> str:
    """Let the heartbeat beat `beats` times, answer one command, stop; return the whole log."""
    bot.start()
    try:
        seen: set[str] = set()
        bot.wait_for_health(lambda s, b: bool(seen.add(b.get("last_tick") or "")) or len(seen - {""}) >= beats)
        status, _, _ = sr.post(
            bot.events_url,
            *sr.slash_command(
                "/owner", "backups", user_id="U0ALICE01", channel_id="C0SHARED01", response_url=standin.response_url()
            ),
        )
        assert status == 200
    finally:
        output = bot.stop()
    return output


def test_a_start_is_one_line_and_the_beats_are_quiet(standin, tmp_path):
    bot = BotProcess(standin, f"sqlite:///{tmp_path / 't.db'}", extra_env={"TANDEM_TICK_SECONDS": "1"}, workers=2)
    lines = ticks_then_stops(bot, standin).strip().splitlines()
    assert len(lines) == 1, lines  # no Bolt token warning, no APScheduler, gunicorn or Alembic lines
    [line] = lines
    assert "INFO tandem: Tandem " in line and " started: HTTP on port " in line and "(2 workers × 4 threads)" in line
    assert "Slack Tandem Test as @tandem" in line and "ticking every 1 s" in line
    assert "schema upgraded from empty to" in line and "matrix for 'harbour-finch' created" in line


def test_json_lines_carry_every_logger_at_debug(standin, tmp_path):
    env = {"TANDEM_TICK_SECONDS": "1", "TANDEM_LOG_FORMAT": "json", "TANDEM_LOG_LEVEL": "debug"}
    bot = BotProcess(standin, f"sqlite:///{tmp_path / 't.db'}", extra_env=env)
    records = [json.loads(line) for line in ticks_then_stops(bot, standin, beats=2).splitlines()]  # all JSON
    assert all({"time", "level", "logger", "message", "pid"} <= record.keys() for record in records)
    loggers = {record["logger"] for record in records}
    assert {"tandem", "gunicorn.error"} <= loggers and any(name.startswith("apscheduler") for name in loggers)
    assert any(r["logger"] == "tandem" and " started: HTTP on port " in r["message"] for r in records)
    assert any(record["level"] == "DEBUG" for record in records)


def test_a_database_that_fails_while_ticking_is_one_warning_then_one_line_when_it_recovers(standin, tmp_path):
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr to make the database's write-ahead log unwritable")
    path = tmp_path / "t.db"
    bot = BotProcess(standin, f"sqlite:///{path}", extra_env={"TANDEM_TICK_SECONDS": "1"}).start()
    try:
        bot.wait_for_health(lambda s, b: b.get("last_tick") is not None)
        wal = f"{path}-wal"
        if subprocess.run(["chattr", "+i", wal], capture_output=True, check=False).returncode:
            pytest.skip("this file system does not let chattr make a file immutable")
        try:
            status, body = bot.wait_for_health(lambda s, b: s == 503)  # several beats fail
            assert status == 503 and body["scheduler"] == "late"
        finally:
            subprocess.run(["chattr", "-i", wal], check=True)
        bot.wait_for_health(lambda s, b: s == 200)
    finally:
        output = bot.stop()
    lines = output.strip().splitlines()
    assert [line for line in lines if "Traceback" in line] == []
    failed = [line for line in lines if "WARNING bot.app.heartbeat: tick failed:" in line]
    assert len(failed) == 1 and f"The SQLite database {path} (DATABASE_URL) failed: disk I/O error" in failed[0]
    assert len([line for line in lines if "INFO bot.app.heartbeat: ticking again after" in line]) == 1
