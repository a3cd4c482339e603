"""A running bot whose database stops taking writes says so, and carries on once it can.

The file is made immutable (`chattr +i`, with its folder, so no -journal or -wal can be
made): root cannot write it either. Then it is made writable again, and the very next
command must work, with no restart.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage.db import Database
from tests.support import slack_requests as sr
from tests.support.bot_server import ROOT, BotProcess
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE = "U0ALICE01"
NOTHING_SAVED = "Tandem's database cannot be written just now (a read-only or full disk), so nothing was saved."


def _can_freeze(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_text("x")
    try:
        done = shutil.which("chattr") and subprocess.run(["chattr", "+i", str(probe)], check=False).returncode == 0
        return bool(done)
    finally:
        subprocess.run(["chattr", "-i", str(probe)], check=False)
        probe.unlink()


@contextmanager
def frozen(folder: Path):
    """The database, its -wal and the folder unwritable until the block ends. The -shm
    stays: SQLite maps it into memory, and a mapped page that cannot be written is a SIGBUS,
    not an error (a disk remounted read-only fails the -wal write first)."""
    paths = [*(path for path in sorted(folder.iterdir()) if not path.name.endswith("-shm")), folder]
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def disk(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    if not _can_freeze(folder):
        if os.environ.get("CI") == "true":
            pytest.fail("chattr +i is needed here (run as root on ext4)")
        pytest.skip("chattr +i is not available on this machine")
    return folder


def handoff(bot, standin, name: str, summary: str) -> tuple[int, bytes]:
    request = sr.slash_command(
        "/handoff", f"provider: {summary}", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url(name)
    )
    status, _, body = sr.post(bot.events_url, *request)
    return status, body


def new_handoff_submitted(summary: str):
    """The new-handoff modal, filled in and submitted (interactivity/view_submission.json)."""
    values = {
        "summary": {"summary": summary},
        "details": {"details": ""},
        "priority": {"priority": {"type": "static_select", "selected_option": {"value": "P4"}}},
        "area": {"area": {"type": "static_select", "selected_option": {"value": "onsite-hardware"}}},
        "assignee": {"assignee": {"type": "users_select", "selected_user": None}},
    }
    return sr.view_submission("handoff_new", values, user_id=ALICE, private_metadata=json.dumps({"channel": CHANNEL}))


def test_a_database_that_stops_taking_writes_is_a_sentence_and_recovers(standin, disk):
    standin.reset()
    with BotProcess(standin, f"sqlite:///{disk / 'tandem.db'}") as bot:
        assert handoff(bot, standin, "before", "the printer is jammed")[0] == 200
        assert "Opened Handoff #1" in standin.wait_for_response("before")[0].body["text"]
        with frozen(disk):
            assert handoff(bot, standin, "during", "the scanner is offline") == (200, b"")
            said = standin.wait_for_response("during")[0].body
            assert sr.post(bot.events_url, *new_handoff_submitted("the badge reader is dead"))[0] == 200
            [told] = standin.wait_for("chat.postEphemeral")
        assert said["response_type"] == "ephemeral"
        assert NOTHING_SAVED in said["text"]
        assert (told["channel"], told["user"]) == (CHANNEL, ALICE) and told["text"].startswith(
            "Your handoff was not opened: " + NOTHING_SAVED
        )
        assert handoff(bot, standin, "after", "the fax is smoking")[0] == 200  # no restart
        assert "Opened Handoff #2" in standin.wait_for_response("after")[0].body["text"]
        output = bot.stop()
    assert "Traceback" not in output
    assert f"a write failed: The database {disk / 'tandem.db'} (DATABASE_URL) is read-only" in output
    with sqlite3.connect(disk / "tandem.db") as connection:
        summaries = [row[0] for row in connection.execute("SELECT summary FROM handoffs ORDER BY id")]
    assert summaries == ["the printer is jammed", "the fax is smoking"]


def test_starting_on_a_database_that_takes_no_writes_is_one_sentence(standin, disk):
    """`tandem run` proves it can write before it serves, and stops with the sentence if not."""
    url = f"sqlite:///{disk / 'tandem.db'}"
    Database(url).upgrade()
    with frozen(disk):
        run = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            env=BotProcess(standin, url).env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    output = (run.stdout + run.stderr).strip()
    assert run.returncode == 1, output
    assert output.splitlines() == [
        f"The database {disk / 'tandem.db'} (DATABASE_URL) is read-only, and Tandem must write to it (handoffs, "
        "reminders, the audit log): make it writable (a read-write PostgreSQL primary, or a writable disk and file)."
    ]
