"""A soak: mixed Slack traffic against `tandem run` with random SIGKILLs and Slack faults, then
a count of duplicates and losses from what the Slack stand-in shows.

For `--seconds` the bot gets signed `/handoff` commands, button presses on the handoffs it
posted and mentions, while the stand-in refuses posts (`internal_error`, 429), drops
connections before or after a post lands, and the bot is killed with SIGKILL and started
again. Then the faults stop, two `tandem tick`s run past every back-off, and the record is
read back:

* duplicates: an occurrence key (each post's metadata) on more than one message;
* losses: a committed handoff without exactly one root message and one first reply, a step
  in the audit trail without its reply in the thread, an outbox row not sent;
* a command acknowledged (HTTP 200) whose handoff was never recorded: a loss like any other,
  since every request is in the inbox before it is acknowledged and a restarted bot finishes
  it (the bot runs with a 2 s inbox lease, so that happens within the run).

`python -m bench.soak --seconds 300` is the five-minute run; the suite runs a short one
(tests/integration/test_soak.py). Always exits 0, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import ROOT, table, verdict
from handlers import ids
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
REQUESTERS = ("U0ALICE01", "U0BEN0001")
PROVIDERS = ("U0PRIYA01", "U0SAM0001", "U0TOM0001")


@dataclass
class SoakResult:
    seconds: float
    requests: int = 0
    kills: int = 0
    faults: int = 0
    handoffs: int = 0
    steps: int = 0
    posts: int = 0
    duplicates: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    unrecorded: int = 0  # acknowledged commands that never became a handoff (also in `losses`)


def _occurrence(message: dict) -> str:
    return ((message.get("metadata") or {}).get("event_payload") or {}).get("occurrence", "")


def _fault(standin: SlackStandIn, rng: random.Random) -> None:
    choice = rng.randrange(5)
    if choice == 0:
        standin.fail("chat.postMessage", "internal_error")
    elif choice == 1:
        standin.drop_after("chat.postMessage")
    elif choice == 2:
        standin.drop_connection("chat.postMessage")
    elif choice == 3:
        standin.rate_limit("chat.postMessage", retry_after=1)
    else:
        standin.fail("chat.update", "internal_error")


def _press(bot: BotProcess, standin: SlackStandIn, rng: random.Random) -> bool:
    roots = [
        (ts, m) for (c, ts), m in list(standin.messages.items()) if c == CHANNEL and "handoff" in str(m.get("metadata"))
    ]
    if not roots:
        return False
    ts, message = rng.choice(roots)
    action = rng.choice((ids.ACTION_ACKNOWLEDGE, ids.ACTION_TAKE))
    request = sr.block_actions(
        action,
        sr.button_value(message, action, ""),
        user_id=rng.choice(PROVIDERS),
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url("press"),
        message=message,
    )
    return _send(bot, request)


def _send(bot: BotProcess, request: tuple[bytes, dict[str, str]]) -> bool:
    try:
        return sr.post(bot.events_url, *request, timeout=5)[0] == 200
    except OSError:  # the bot is down (killed a moment ago): Slack would show an error
        return False


def _tick(bot: BotProcess, at: datetime) -> None:
    """One `tandem tick` at `at`, unpaced: seven hours on, in business hours, every handoff of
    the run has breached, and a paced tick would leave most of those posts to later ticks."""
    subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
        env={**bot.env, "TANDEM_POST_SPACING": "0"},
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )


def _drained(db: Path, timeout: float = 60) -> None:
    """Wait until the inbox holds no unfinished request (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as connection:
            if not connection.execute("SELECT count(*) FROM inbox WHERE state = 'pending'").fetchone()[0]:
                return
        time.sleep(0.2)


def _count(db: Path, standin: SlackStandIn, result: SoakResult, acked: set[str]) -> None:
    messages = list(standin.messages.values())
    result.posts = len(messages)
    keys = Counter(k for k in map(_occurrence, messages) if k)
    result.duplicates = sorted(k for k, n in keys.items() if n > 1)
    with sqlite3.connect(db) as connection:
        handoffs = connection.execute("SELECT id, summary, ts FROM handoffs").fetchall()
        steps = connection.execute(
            "SELECT subject, detail FROM audit_events WHERE kind LIKE 'handoff.%' AND kind != 'handoff.open'"
        ).fetchall()
        unsent = connection.execute("SELECT key, status FROM outbox WHERE status != 'sent'").fetchall()
    result.handoffs, result.steps = len(handoffs), len(steps)
    for number, _, ts in handoffs:
        for key in (f"handoff:{number}:root", f"handoff:{number}:opened"):
            if keys[key] != 1:
                result.losses.append(f"{key} shown {keys[key]} times")
        if ts is None:
            result.losses.append(f"handoff #{number} has no root message recorded")
    for subject, detail in steps:
        version = json.loads(detail).get("version")
        key = f"handoff:{subject.removeprefix('handoff #')}:v{version}:said"
        if keys[key] != 1:
            result.losses.append(f"{key} shown {keys[key]} times")
    result.losses += [f"outbox {key} left {status}" for key, status in unsent]
    recorded = {summary for _, summary, _ in handoffs}
    unrecorded = sorted(acked - recorded)
    result.unrecorded = len(unrecorded)
    result.losses += [f"acknowledged, never recorded: {summary}" for summary in unrecorded]


def soak(seconds: float, seed: int = 12, kill_every: float = 8.0) -> SoakResult:
    """Run the soak for `seconds`; what the record shows afterwards."""
    rng = random.Random(seed)
    result = SoakResult(seconds)
    acked: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as standin:
        db = Path(tmp) / "soak.db"
        bot = BotProcess(
            standin, f"sqlite:///{db}", extra_env={"TANDEM_TICK_SECONDS": "1", "TANDEM_INBOX_LEASE_SECONDS": "2"}
        )
        bot.start()
        try:
            end, next_kill, n = time.monotonic() + seconds, time.monotonic() + rng.uniform(1, kill_every), 0
            while time.monotonic() < end:
                n += 1
                if rng.random() < 0.2:
                    _fault(standin, rng)
                    result.faults += 1
                if time.monotonic() > next_kill:
                    bot.crash()  # master and workers at once
                    result.kills += 1
                    bot.start(timeout=60)
                    next_kill = time.monotonic() + rng.uniform(1, kill_every)
                kind = rng.random()
                if kind < 0.45:
                    summary = f"soak {seed}-{n}: the printer on floor {rng.randrange(9)} jams"
                    request = sr.slash_command(
                        "/handoff",
                        f"provider: {summary}",
                        user_id=rng.choice(REQUESTERS),
                        channel_id=CHANNEL,
                        response_url=standin.response_url("soak"),
                    )
                    if _send(bot, request):
                        acked.add(summary)
                elif kind < 0.85:
                    _press(bot, standin, rng)
                else:
                    mention = sr.app_mention("<@W111> who owns backups?", user=rng.choice(REQUESTERS), channel=CHANNEL)
                    _send(bot, sr.event_callback(mention))
                result.requests += 1
                time.sleep(rng.uniform(0.05, 0.3))
            standin.clear_faults()
            _drained(db)  # what the last kill left in the inbox, taken over and finished
            time.sleep(3)  # what the last requests started, finished
        finally:
            bot.stop()
        later = datetime.now(UTC) + timedelta(hours=7)  # past every back-off
        _tick(bot, later)
        _tick(bot, later + timedelta(minutes=1))
        _count(db, standin, result, acked)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    r = soak(args.seconds, args.seed)
    print(
        table(
            [
                ["requests / kills / faults", f"{r.requests} / {r.kills} / {r.faults}", ""],
                ["handoffs / steps / posts", f"{r.handoffs} / {r.steps} / {r.posts}", ""],
                ["duplicates", len(r.duplicates), verdict(not r.duplicates)],
                ["losses", len(r.losses), verdict(not r.losses)],
                ["acknowledged, never recorded", r.unrecorded, verdict(r.unrecorded == 0)],
            ],
            ["measure", "result", "zero"],
        )
    )
    for line in (r.duplicates + r.losses)[:20]:
        print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
