"""The scheduler at scale: 100,000 open handoffs and 10,000 reviews, one `tick` at a time.

    .venv/bin/python -m bench.scheduler_scale [--postgres URL] [--handoffs 100000] [--reviews 10000]
                                              [--due 1000] [--outbox-history 100000] [--idle-runs 10]
                                              [--distinct-schedules N] [--no-commands] [--profile]

1. Writes a matrix file (`bench.review_matrix`): `examples/matrix.yml` with its reviews
   replaced by N generated ones (RRULE and 5-field cron schedules of every kind the loader
   takes — weekly, fortnightly, monthly by weekday or day, quarterly, half-yearly, yearly,
   daily — at varied hours, with varied `remind_before`/`grace`, owners and areas from the
   example), and imports it into a fresh database with `bootstrap.import_file` (which also
   creates the 10,001 timers through `sync_timers`); the import is timed, and a re-import of
   the unchanged file too.
2. Inserts 100,000 open handoffs straight into `handoffs` (Core executemany; the generator in
   `bench.seed`, `due_at`/`alert_at` from the real `next_due`/`next_alert_at` at
   T0 = Tue 2026-12-01 10:00 London), and `--outbox-history` rows of posts already sent over
   the past year (the outbox only ever grows). Of the handoffs, exactly `--due` (1,000) have
   a clock reaching a warning or breach threshold in (T0, T1 = T0 + 20 min]: their opening
   time is solved for with `instant_at_fraction`, so the threshold is genuine; every other
   handoff's `alert_at` is later than T1 or none (breached or paused). Review change points
   all fall on :00 or :30, so no timer falls due in (T0, T1].
3. Runs the Slack Web API stand-in (`python -m tests.support.slack_standin`) in a separate
   process, so its work does not share this process's GIL, and a `Runtime` whose notifier is
   the real `ChannelNotifier(SlackConversation(create_client(runtime)))` pointed at it
   (`bench.standin_process`).
4. Measures:
   * the catch-up tick at T0 (whatever reviews are due or in their reminder window the
     moment they are imported), for information;
   * `tick` at T0 with nothing due, `--idle-runs` times (target p50 < 200 ms);
   * one `tick` at T1 with the `--due` handoffs due (target < 5 s excluding the time spent
     inside Slack calls: every `Conversation.post` is timed and subtracted); checks the
     stand-in received exactly the expected posts (one per alert, two for a breach: thread
     reply and channel post, each its own occurrence), each once; also shows how many statements,
     transactions and pool checkouts it took and the time spent inside the driver.
   Prints the query plan of each SELECT a tick sends against handoffs, timers and outbox.
   When a target is missed (or with `--profile`), reruns that tick under cProfile (the due
   tick on restored state) and prints the hot spots.
5. For information, times `sync_timers` alone and one `/tandem reviews` and one `/tandem done`
   against the 10,000 reviews (`--no-commands` skips the last two). The generator gives about
   2,900 distinct schedules; `--distinct-schedules N` draws them from a pool of N instead.

SQLite in a temporary directory by default; `--postgres URL` creates `tandem_bench_<random>`
on that server and drops it afterwards. Prints tables; always exits 0.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import load_average, percentile, print_profile, report_failure, table, verdict
from bench.databases import (
    add_postgres_argument,
    analyze,
    bench_database,
    database_size,
    insert_rows,
    open_migrated,
    organisation_id,
)
from bench.queries import captured_sql, db_meter, print_plans
from bench.review_matrix import matrix_text
from bench.seed import CHANNEL, T0, HandoffFactory, background_handoffs, due_handoffs, outbox_history, to_utc
from bench.standin_process import StandInProcess, occurrence, runtime_posting_to

WINDOW = timedelta(minutes=20)  # T1 = T0 + WINDOW: the due tick
IDLE_TARGET_MS = 200.0
DUE_TARGET_S = 5.0


# -- measuring ---------------------------------------------------------------------------------------------
def timed_tick(runtime, now: datetime, slack: list[float]):
    """`schedule.tick` (plan, then deliver) with each half timed, its changes settled as the
    heartbeat settles them (`Database.deferring`); returns (report, plan s, deliver s, slack s)."""
    from bot.services.schedule import TickReport, deliver, plan

    slack.clear()
    with runtime.db.deferring():
        start = time.perf_counter()
        report = TickReport(planned=plan(runtime.deps, now))
        middle = time.perf_counter()
        deliver(runtime.deps, now, report)
    end = time.perf_counter()
    return report, middle - start, end - middle, sum(slack)


def marks_taken(db) -> int:
    """How many settles have been made on this PostgreSQL database (`storage.replicas`)."""
    from sqlalchemy import text

    with db.engine.connect() as connection:
        return connection.execute(
            text("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM version_marks")
        ).scalar()


def listening_replica(url: str):
    """Another replica's Database, listening, as a served worker is: every settle waits for it."""
    from storage.db import Database

    other = Database(url)
    other.follow_changes()
    listener = other.listener
    give_up = time.monotonic() + 10
    while listener is not None and listener.generation() is None and time.monotonic() < give_up:
        time.sleep(0.01)
    return other


def unit_floor(runtime, org: str, runs: int = 300) -> float:
    """Median seconds of the smallest unit of work the scheduler opens: one transaction, one tiny query."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with runtime.unit() as store:
            store.matrix_version(org)
        samples.append(time.perf_counter() - start)
    return percentile(sorted(samples), 50)


def made_by_the_tick(at: datetime):
    """The outbox rows a tick at `at` made: each is stamped a microsecond after the one before it
    (their order of posting), all within a second of the tick's instant."""
    from storage import models as orm

    return orm.Outbox.created_at.between(at, at + timedelta(seconds=1))


def pending_counts(db, now: datetime) -> dict[str, int]:
    """What a tick at `now` would find to do, counted directly: shows an idle tick really is idle."""
    from sqlalchemy import func, or_, select

    from storage import models as orm

    now = now.astimezone(UTC)
    with db.engine.connect() as c:
        h, t, o = orm.Handoff, orm.Timer, orm.Outbox
        return {
            "handoffs alert_at <= now": c.scalar(
                select(func.count()).select_from(h).where(h.alert_at <= now, h.resolved_at.is_(None))
            ),
            "timers next_at <= now": c.scalar(select(func.count()).select_from(t).where(t.next_at <= now)),
            "outbox pending/sending": c.scalar(
                select(func.count()).select_from(o).where(or_(o.status == "pending", o.status == "sending"))
            ),
        }


def commands_at_scale(runtime, reviews: int) -> None:
    """For information: the review commands a person types, against this many reviews (one call each)."""
    from bot.grammar import parse_command

    out = []
    for text in ("reviews", "done rv-00001 checked, all fine"):
        start = time.perf_counter()
        reply = runtime.answer(parse_command("/tandem", text), "U0PRIYA01", CHANNEL)
        out.append(
            [
                f"/tandem {text.split()[0]} ({reviews} reviews)",
                f"{(time.perf_counter() - start) * 1000:.0f} ms",
                reply.text[:70].replace("\n", " "),
            ]
        )
    print()
    print(table(out, ["command (info, one call)", "time", "answer"]))


# -- the phases of a run -----------------------------------------------------------------------------------
def write_matrix(workdir: Path, rng: random.Random, args) -> Path:
    """The example matrix with `--reviews` generated reviews, written to `workdir`; prints what it holds."""
    text, kinds = matrix_text(args.reviews, rng, args.distinct_schedules)
    path = workdir / "matrix-reviews.yml"
    path.write_text(text, encoding="utf-8")
    distinct = len({line for line in text.splitlines() if line.startswith("    schedule: ")})
    print(
        f"matrix: {args.reviews} reviews, {distinct} distinct schedules "
        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
        f"{len(text.splitlines())} lines -> {path}",
        flush=True,
    )
    return path


def import_reviews(db, path: Path, clock, reviews: int, rows: list[list]):
    """Time parsing, importing, re-importing and `sync_timers` alone (rows for the table); returns (org, matrix)."""
    from sqlalchemy import select

    from bot.app.bootstrap import import_file
    from bot.matrix.loader import load_file
    from bot.services.timers import sync_timers
    from storage import models as orm
    from storage.store import Store

    start = time.perf_counter()
    matrix = load_file(path)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    org, changes = import_file(db, path, "bench", clock)
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    _, again = import_file(db, path, "bench", clock)
    reimport_s = time.perf_counter() - start
    with db.engine.connect() as c:
        timers = c.scalar(select(orm.Timer.id).order_by(orm.Timer.id.desc()).limit(1))
    rows.append(["load_file (parse + validate, for reference)", f"{parse_s:.2f} s", "", ""])
    rows.append([f"import_file, {reviews} reviews + sync_timers ({timers} timers)", f"{import_s:.2f} s", "", ""])
    rows.append([f"re-import unchanged ({len(again)} changes)", f"{reimport_s:.2f} s", "", ""])
    with db.session() as session:  # what every import pays: all reviews' timers again
        start = time.perf_counter()
        sync_timers(Store(session), matrix, T0.astimezone(UTC))
        rows.append([f"  sync_timers alone ({reviews} reviews)", f"{time.perf_counter() - start:.2f} s", "", ""])
    print(f"imported {org}: {len(changes)} change line(s) in {import_s:.1f} s", flush=True)
    return org, matrix


def load_data(db, url: str, org: str, matrix, rng: random.Random, args) -> tuple[dict[int, datetime], int, int]:
    """Insert the open handoffs and the outbox history; print what was loaded.

    Returns the due handoffs' `alert_at` by id (to restore them for a profile), and how many
    alerts and posts the due tick must make.
    """
    from sqlalchemy import select

    from storage import models as orm

    t0, t1 = T0.astimezone(UTC), (T0 + WINDOW).astimezone(UTC)
    start = time.perf_counter()
    org_id = organisation_id(db.engine, org)
    factory = HandoffFactory(matrix, org_id, T0, rng)
    due_rows, expected_alerts, expected_posts = due_handoffs(factory, args.due, t1, rng)
    handoffs = background_handoffs(factory, args.handoffs - len(due_rows), t1) + due_rows
    handoffs.sort(key=lambda r: (r["opened_at"], rng.random()))
    to_utc(handoffs)
    history = outbox_history(org_id, args.outbox_history, t0 - timedelta(days=365), t0 - timedelta(days=1), rng)
    gen_s = time.perf_counter() - start
    breached = sum(1 for r in handoffs if r["due_at"] is not None and r["due_at"] < t0)
    no_alert = sum(1 for r in handoffs if r["alert_at"] is None)
    within_day = sum(1 for r in handoffs if r["alert_at"] is not None and r["alert_at"] <= t0 + timedelta(days=1))
    insert_s = insert_rows(db.engine, orm.Handoff.__table__, handoffs)
    insert_s += insert_rows(db.engine, orm.Outbox.__table__, history)
    analyze(db.engine)
    with db.engine.connect() as c:  # only the generated due handoffs have an alert in (T0, T1]
        due_ids = dict(
            c.execute(
                select(orm.Handoff.id, orm.Handoff.alert_at).where(
                    orm.Handoff.alert_at > t0, orm.Handoff.alert_at <= t1
                )
            ).all()
        )
    print(
        f"handoffs: {len(handoffs)} open ({breached} breached, {no_alert} with no alert left (breached or paused), "
        f"{within_day} with an alert within a day of T0; {len(due_ids)} due in (T0, T1], expected "
        f"{expected_alerts} alerts = {expected_posts} posts); outbox history {len(history)} sent rows; "
        f"generated in {gen_s:.1f} s, inserted in {insert_s:.1f} s; database {database_size(db.engine, url)}",
        flush=True,
    )
    return due_ids, expected_alerts, expected_posts


def run(args) -> None:
    from sqlalchemy import delete, select, update

    from bot.clock import FixedClock
    from storage import models as orm

    rng = random.Random(args.seed)
    t0, t1 = T0.astimezone(UTC), (T0 + WINDOW).astimezone(UTC)
    rows: list[list] = []
    standin = None
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp, bench_database(args.postgres, Path(tmp)) as url:
        try:
            path = write_matrix(Path(tmp), rng, args)
            db = open_migrated(url, args.postgres)
            clock = FixedClock(T0)
            org, matrix = import_reviews(db, path, clock, args.reviews, rows)
            due_ids, expected_alerts, expected_posts = load_data(db, url, org, matrix, rng, args)
            gc.collect()  # the generator's rows are garbage now; collect them before measuring
            standin = StandInProcess()
            runtime, slack = runtime_posting_to(standin, url, db, clock)

            # -- catch-up at T0: reviews due or in their reminder window when imported
            before = len(standin.calls())
            report, plan_s, deliver_s, slack_s = timed_tick(runtime, t0, slack)
            posted = len(standin.calls()) - before
            rows.append(
                [
                    f"catch-up tick at T0: {report.posted} review posts (info)",
                    f"{plan_s + deliver_s:.2f} s ({plan_s:.2f} plan, {deliver_s:.2f} deliver; "
                    f"{slack_s:.2f} in Slack calls)",
                    "",
                    "",
                ]
            )
            print(
                f"catch-up tick at T0: planned {report.planned}, posted {report.posted}, failed {report.failed}; "
                f"stand-in recorded {posted} chat.postMessage",
                flush=True,
            )

            # -- nothing due at T0
            pending = pending_counts(db, t0)
            print(f"before the idle ticks: {pending}", flush=True)
            print(f"load average: {load_average()} ({os.cpu_count()} CPUs)", flush=True)
            idle = []
            idle_reports = []
            timed_tick(runtime, t0, slack)  # warm
            for _ in range(args.idle_runs):
                report, plan_s, deliver_s, _ = timed_tick(runtime, t0, slack)
                idle.append(plan_s + deliver_s)
                idle_reports.append(report)
            idle.sort()
            idle_p50 = percentile(idle, 50) * 1000
            work = sum(r.planned + r.posted + r.failed for r in idle_reports)
            rows.append(
                [
                    f"tick, nothing due: p50 / max of {len(idle)} ({work} items done)",
                    f"{idle_p50:.1f} / {idle[-1] * 1000:.1f} ms",
                    f"p50 < {IDLE_TARGET_MS:.0f} ms",
                    verdict(idle_p50 < IDLE_TARGET_MS and not any(pending.values())),
                ]
            )

            # -- the due tick at T1
            pending_t1 = pending_counts(db, t1)
            print(f"before the due tick at T1: {pending_t1}", flush=True)
            before_calls = len(standin.calls())
            other = listening_replica(url) if args.postgres else None
            marks_before = marks_taken(db) if args.postgres else 0
            gc.collect()
            cpu0 = time.process_time()
            with captured_sql(db.engine) as seen_due, db_meter(db.engine) as meter:
                report, plan_s, deliver_s, slack_s = timed_tick(runtime, t1, slack)
            cpu_s = time.process_time() - cpu0
            if other is not None:
                print(
                    f"the due tick settled {marks_taken(db) - marks_before} time(s) with another replica listening",
                    flush=True,
                )
                other.dispose()
            captured_due = list(seen_due)
            floor = unit_floor(runtime, org)
            calls = standin.calls()[before_calls:]
            ok_calls = [c for c in calls if (c.get("reply") or {}).get("ok")]
            keys = Counter(occurrence(c) for c in ok_calls)
            with db.engine.connect() as c:
                sent_keys = set(
                    c.scalars(
                        select(orm.Outbox.key).where(
                            made_by_the_tick(t1), orm.Outbox.status == "sent", orm.Outbox.kind != "root"
                        )
                    )
                )
            # every post is its own occurrence: a breach's channel post has a key beside its alert's
            twice = sum(1 for k, n in keys.items() if n > 1)
            posts_ok = (
                len(ok_calls) == expected_posts
                and len(keys) == expected_posts == report.posted
                and set(keys) == sent_keys
                and twice == 0
                and report.failed == 0
            )
            excl = plan_s + deliver_s - slack_s
            rows.append(
                [
                    f"tick, {len(due_ids)} handoffs due: total (plan + deliver)",
                    f"{plan_s + deliver_s:.2f} s ({plan_s:.2f} plan, {deliver_s:.2f} deliver)",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    "  of which inside Slack calls (stand-in, other process)",
                    f"{slack_s:.2f} s ({len(slack)} posts)",
                    "",
                    "",
                ]
            )
            rows.append(
                ["  excluding Slack calls", f"{excl:.2f} s", f"< {DUE_TARGET_S:.0f} s", verdict(excl < DUE_TARGET_S)]
            )
            rows.append(["  per due handoff, excluding Slack", f"{excl / max(len(due_ids), 1) * 1000:.1f} ms", "", ""])
            rows.append(
                [
                    "  CPU of this process (with the Slack client's; less disturbed by load than wall time)",
                    f"{cpu_s:.2f} s, {cpu_s / max(len(slack), 1) * 1000:.2f} ms per post",
                    "",
                    "",
                ]
            )
            rows.append(
                [f"  inside the driver's execute ({meter['statements']} statements)", f"{meter['db_s']:.2f} s", "", ""]
            )
            rows.append(
                [
                    f"  transactions: {meter['commits']} commits, {meter['checkouts']} pool checkouts",
                    f"one unit + 1 tiny query: {floor * 1000:.2f} ms",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    "  the rest: Python (ORM, clocks, rendering), commits, checkouts",
                    f"{excl - meter['db_s']:.2f} s",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    f"  stand-in posts: {len(ok_calls)} ok of {len(calls)}; {len(keys)} occurrences",
                    f"expected {expected_posts} posts ({expected_alerts} alerts); planned {report.planned}, "
                    f"posted {report.posted}, failed {report.failed}",
                    "each once",
                    verdict(posts_ok),
                ]
            )
            print()
            print(table(rows, ["measure", "value", "target", "result"]))
            print(f"load average: {load_average()}")

            # -- query plans
            with captured_sql(db.engine) as seen_idle:
                timed_tick(runtime, t1, slack)
            print(
                f"\nQuery plans ({db.engine.dialect.name}) of the SELECTs a tick sends against handoffs, timers and outbox:"
            )
            scans = print_plans(
                db.engine, {"idle tick": list(seen_idle), "due tick": captured_due}, ("handoffs", "timers", "outbox")
            )
            print(f"\n{scans} statement(s) with a full scan of handoffs, timers or outbox.")
            statements = Counter(" ".join(q.split()[:4]) for q, _ in captured_due)
            print(
                f"\nthe due tick sent {len(captured_due)} statements: "
                + ", ".join(f"{n}× {s}" for s, n in statements.most_common(8))
            )

            # -- profiles when a target is missed
            if idle_p50 >= IDLE_TARGET_MS or args.profile:
                print("\ncProfile of one tick with nothing due:")
                print_profile(lambda: timed_tick(runtime, t0, slack), orders=("cumulative", "tottime"))
            if excl >= DUE_TARGET_S or args.profile:
                with db.engine.begin() as c:  # put the due handoffs back as they were, forget their posts
                    for hid, at in due_ids.items():
                        c.execute(update(orm.Handoff).where(orm.Handoff.id == hid).values(alert_at=at))
                    c.execute(delete(orm.Outbox).where(made_by_the_tick(t1)))
                print(f"\ncProfile of the tick with {len(due_ids)} due handoffs (state restored; run again):")
                print_profile(lambda: timed_tick(runtime, t1, slack), orders=("cumulative", "tottime"))
            if args.commands:
                commands_at_scale(runtime, args.reviews)
            db.dispose()
        finally:
            if standin is not None:
                standin.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler_scale", description=__doc__.split("\n")[0])
    add_postgres_argument(parser)
    parser.add_argument("--handoffs", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--outbox-history", type=int, default=100_000)
    parser.add_argument("--idle-runs", type=int, default=10)
    parser.add_argument(
        "--distinct-schedules",
        type=int,
        default=0,
        metavar="N",
        help="draw the reviews' schedules from a pool of N (default: each drawn afresh, ~2,900 distinct)",
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--no-commands",
        dest="commands",
        action="store_false",
        help="skip timing /tandem reviews and /tandem done at the end",
    )
    parser.add_argument("--profile", action="store_true", help="profile the ticks even when their targets are met")
    args = parser.parse_args(argv)
    return report_failure(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
