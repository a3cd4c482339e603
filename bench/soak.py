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
  it (the bot runs with a 2 s inbox lease, so that happens within the run);
* the slowest acknowledgement: Slack gives up on an answer after 3 s, so every request must
  be answered within that, the first writes after a kill included (on PostgreSQL a write waits
  up to about a second for the dead worker's lease to lapse). A request that got no answer
  within 5 s while the bot was up is counted apart.

SQLite in a temporary directory by default; `--postgres URL` runs the bot on a new database
`tandem_bench_<random>` on that server, dropped afterwards. The checks read either through
SQLAlchemy.

`python -m bench.soak --seconds 300` is the five-minute run; the suite runs a short one
(tests/integration/test_soak.py). Always exits 0, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select

from bench.common import ROOT, table, verdict
from bench.databases import add_postgres_argument, bench_database
from handlers import ids
from storage import models as orm
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
REQUESTERS = ("U0ALICE01", "U0BEN0001")
PROVIDERS = ("U0PRIYA01", "U0SAM0001", "U0TOM0001")
ACK_LIMIT = 3.0  # seconds Slack waits for an answer


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
    slowest: float = 0.0  # the slowest answered request, seconds from sending to its status
    slowest_what: str = ""  # which request that was, and how long after the bot's last start
    unanswered: list[str] = field(default_factory=list)  # requests with no answer while the bot was up
    slow: list[str] = field(default_factory=list)  # answers that took longer than ACK_LIMIT


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


def _press(bot: BotProcess, standin: SlackStandIn, rng: random.Random, clock: _Clock) -> bool:
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
    return _send(bot, request, clock, f"{action} on {ts}")


@dataclass
class _Clock:
    """How long each answer took, kept in the result; `started` is when the bot last came up."""

    result: SoakResult
    started: float = 0.0


def _send(bot: BotProcess, request: tuple[bytes, dict[str, str]], clock: _Clock, what: str) -> bool:
    sent = time.monotonic()
    since = f"{sent - clock.started:.1f} s after a start"
    try:
        status = sr.post(bot.events_url, *request, timeout=5)[0]
    except OSError as error:  # no answer: Slack would show an error
        clock.result.unanswered.append(f"{what}, {since}: {type(error).__name__} after {time.monotonic() - sent:.2f} s")
        return False
    took = time.monotonic() - sent
    if took > clock.result.slowest:
        clock.result.slowest, clock.result.slowest_what = took, f"{what}, {since}"
    if took > ACK_LIMIT:
        clock.result.slow.append(f"{what}, {since}: answered {status} after {took:.2f} s")
    return status == 200


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


def _drained(engine: Engine, timeout: float = 60) -> None:
    """Wait until the inbox holds no unfinished request (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if not connection.scalar(
                select(func.count()).select_from(orm.InboxRequest).where(orm.InboxRequest.state == "pending")
            ):
                return
        time.sleep(0.2)


def _count(engine: Engine, standin: SlackStandIn, result: SoakResult, acked: set[str]) -> None:
    messages = list(standin.messages.values())
    result.posts = len(messages)
    keys = Counter(k for k in map(_occurrence, messages) if k)
    result.duplicates = sorted(k for k, n in keys.items() if n > 1)
    with engine.connect() as connection:
        handoffs = connection.execute(select(orm.Handoff.id, orm.Handoff.summary, orm.Handoff.ts)).all()
        steps = connection.execute(
            select(orm.AuditEvent.subject, orm.AuditEvent.detail).where(
                orm.AuditEvent.kind.like("handoff.%"), orm.AuditEvent.kind != "handoff.open"
            )
        ).all()
        unsent = connection.execute(select(orm.Outbox.key, orm.Outbox.status).where(orm.Outbox.status != "sent")).all()
    result.handoffs, result.steps = len(handoffs), len(steps)
    for number, _, ts in handoffs:
        for key in (f"handoff:{number}:root", f"handoff:{number}:opened"):
            if keys[key] != 1:
                result.losses.append(f"{key} shown {keys[key]} times")
        if ts is None:
            result.losses.append(f"handoff #{number} has no root message recorded")
    for subject, detail in steps:
        version = detail.get("version")
        key = f"handoff:{subject.removeprefix('handoff #')}:v{version}:said"
        if keys[key] != 1:
            result.losses.append(f"{key} shown {keys[key]} times")
    result.losses += [f"outbox {key} left {status}" for key, status in unsent]
    recorded = {summary for _, summary, _ in handoffs}
    unrecorded = sorted(acked - recorded)
    result.unrecorded = len(unrecorded)
    result.losses += [f"acknowledged, never recorded: {summary}" for summary in unrecorded]


def soak(seconds: float, seed: int = 12, kill_every: float = 8.0, postgres: str | None = None) -> SoakResult:
    """Run the soak for `seconds` (on SQLite, or a new database on the `postgres` server); what
    the record shows afterwards."""
    rng = random.Random(seed)
    result = SoakResult(seconds)
    clock = _Clock(result)
    acked: set[str] = set()
    with (
        tempfile.TemporaryDirectory() as tmp,
        bench_database(postgres, Path(tmp)) as url,
        SlackStandIn() as standin,
    ):
        bot = BotProcess(standin, url, extra_env={"TANDEM_TICK_SECONDS": "1", "TANDEM_INBOX_LEASE_SECONDS": "2"})
        bot.start()
        clock.started = time.monotonic()
        engine = create_engine(url)
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
                    clock.started = time.monotonic()
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
                    if _send(bot, request, clock, f"/handoff {summary!r}"):
                        acked.add(summary)
                elif kind < 0.85:
                    _press(bot, standin, rng, clock)
                else:
                    mention = sr.app_mention("<@W111> who owns backups?", user=rng.choice(REQUESTERS), channel=CHANNEL)
                    _send(bot, sr.event_callback(mention), clock, "mention")
                result.requests += 1
                time.sleep(rng.uniform(0.05, 0.3))
            standin.clear_faults()
            _drained(engine)  # what the last kill left in the inbox, taken over and finished
            time.sleep(3)  # what the last requests started, finished
        finally:
            bot.stop()
        try:
            later = datetime.now(UTC) + timedelta(hours=7)  # past every back-off
            _tick(bot, later)
            _tick(bot, later + timedelta(minutes=1))
            _count(engine, standin, result, acked)
        finally:
            engine.dispose()  # before a PostgreSQL database is dropped
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=12)
    add_postgres_argument(parser)
    args = parser.parse_args()
    print(f"database: {'PostgreSQL, a new database on ' + args.postgres if args.postgres else 'SQLite'}", flush=True)
    r = soak(args.seconds, args.seed, postgres=args.postgres)
    print(
        table(
            [
                ["requests / kills / faults", f"{r.requests} / {r.kills} / {r.faults}", ""],
                ["handoffs / steps / posts", f"{r.handoffs} / {r.steps} / {r.posts}", ""],
                ["duplicates", len(r.duplicates), verdict(not r.duplicates)],
                ["losses", len(r.losses), verdict(not r.losses)],
                ["acknowledged, never recorded", r.unrecorded, verdict(r.unrecorded == 0)],
                ["unanswered while the bot was up", len(r.unanswered), verdict(not r.unanswered)],
                [f"answers slower than {ACK_LIMIT:.0f} s", len(r.slow), verdict(not r.slow)],
                ["slowest answer", f"{r.slowest:.2f} s ({r.slowest_what})", ""],
            ],
            ["measure", "result", "zero"],
        )
    )
    for line in (r.duplicates + r.losses + r.unanswered + r.slow)[:20]:
        print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
