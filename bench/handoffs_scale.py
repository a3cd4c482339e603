"""100,000 handoffs in one organisation: `/tandem sla`, App Home and `@tandem status` latency.

    .venv/bin/python -m bench.handoffs_scale [--postgres URL] [--handoffs 100000]
                                             [--open-share 0.2] [--calls 200] [--seed 11] [--profile]

Builds a fresh database (SQLite in a temporary directory by default; with `--postgres URL` a
new database `tandem_bench_<random>` on that server, dropped afterwards), imports
`examples/matrix.yml`, and inserts N handoffs made by `bench.seed` straight into the `handoffs`
table with SQLAlchemy Core executemany (the services would take far too long for 100,000 rows):

* ~80 % resolved, opened over the past year (responded and resolved minutes to days later);
* ~20 % open: mostly opened in the last day or week, some older; a mix of not yet answered,
  acknowledged, in progress and waiting on the requester (resolve clock paused);
* requesters, targets and assignees drawn from the matrix people, groups and areas;
* `due_at` and `alert_at` computed with the real `bot.handoffs.clocks.next_due` and
  `bot.alerts.sla.next_alert_at` (memoised: opening times are on a 10-minute to 2-hour
  grid, so many handoffs share one computation), so breached handoffs really are due in the past.

Rows get ids in `opened_at` order, as they would in production. PostgreSQL is ANALYZEd after
the load (what autovacuum would do soon after); SQLite is not (the bot never runs ANALYZE).

Then measures, over `--calls` calls each after a short warm-up:

* `/tandem sla`: `Runtime.answer(parse_command("/tandem", "sla"), "U0ALICE01", "C0SHARED01")`;
* App Home: `home_service.build(store, matrix, user, now)` + `home_view(home)` in one
  read-only `Runtime.unit()` (as `app_home_opened` reads), the viewer rotating over the matrix people;
* `@tandem status <id>`: `Runtime.answer(parse_mention("<@…> status N"), …)` for random ids.

Target: p99 < 100 ms each. Also prints the query plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) of every statement those three paths send that
touches `handoffs`, flagging any full scan of it. Prints a table; always exits 0.
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
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

from bench.common import EXAMPLE, load_average, percentile, print_profile, report_failure, table, verdict
from bench.databases import (
    add_postgres_argument,
    analyze,
    bench_database,
    database_size,
    insert_rows,
    open_migrated,
    organisation_id,
)
from bench.queries import captured_sql, print_plans
from bench.seed import CHANNEL, T0, HandoffFactory, generate_handoffs

P99_TARGET_MS = 100.0
STAT_HEADER = ["measure", "n", "first ms", "p50 ms", "p99 ms", "max ms", "target", "result"]


def measure(fn: Callable[[int], object], calls: int, warmup: int = 10) -> tuple[list[float], float]:
    """(sorted latencies in seconds of `calls` calls, first call's latency); `fn` gets the call index."""
    start = time.perf_counter()
    fn(0)
    first = time.perf_counter() - start
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return sorted(samples), first


def stat_row(name: str, samples: list[float], first: float, target_ms: float | None) -> list:
    """One row under STAT_HEADER; without a target the last two cells are empty."""
    p50, p99 = percentile(samples, 50) * 1000, percentile(samples, 99) * 1000
    return [
        name,
        len(samples),
        f"{first * 1000:.1f}",
        f"{p50:.2f}",
        f"{p99:.2f}",
        f"{samples[-1] * 1000:.2f}",
        f"p99 < {target_ms:.0f} ms" if target_ms else "",
        verdict(p99 < target_ms) if target_ms else "",
    ]


def breakdown(runtime, org: str, users: list[str], calls: int) -> list[list]:
    """Where the time of those paths goes: each store query and each renderer on its own."""
    from bot.services import home as home_service
    from bot.services.handoffs import sla_overview
    from handlers.views.handoff import sla_reply
    from handlers.views.home import home_view

    now = runtime.clock.now()
    with runtime.unit() as store:
        loaded = runtime.deps.matrices.get(store, org)
        matrix = loaded.matrix
        overview = sla_overview(store, loaded, now)
        homes = [home_service.build(store, matrix, u, now) for u in users]
        parts = {
            "  store.count_open_handoffs": lambda i: store.count_open_handoffs(org, now),
            "  store.most_urgent_handoffs(25)": lambda i: store.most_urgent_handoffs(org, 25),
            "  sla_reply (25 lines, clocks)": lambda i: sla_reply(matrix, overview, now),
            "  store.handoffs_involving(user, 20)": lambda i: store.handoffs_involving(org, users[i % len(users)], 20),
            "  store.most_urgent_handoffs(10)": lambda i: store.most_urgent_handoffs(org, 10),
            "  home_service.build": lambda i: home_service.build(store, matrix, users[i % len(users)], now),
            "  home_view": lambda i: home_view(homes[i % len(homes)]),
        }
        rows = []
        for name, fn in parts.items():
            samples, first = measure(fn, max(20, calls // 4), warmup=3)
            rows.append(stat_row(name, samples, first, None)[:6])
    return rows


def load_handoffs(db, url: str, org: str, matrix, rng: random.Random, args) -> tuple[list[int], int]:
    """Generate and bulk-insert the handoffs; print what was loaded. Returns (all ids, open count)."""
    from sqlalchemy import func, select

    from storage import models as orm

    started = time.perf_counter()
    factory = HandoffFactory(matrix, organisation_id(db.engine, org), T0, rng)
    rows = generate_handoffs(factory, args.handoffs, args.open_share)
    gen_s = time.perf_counter() - started
    insert_s = insert_rows(db.engine, orm.Handoff.__table__, rows)
    analyze(db.engine)
    now = T0.astimezone(UTC)
    with db.engine.connect() as connection:
        h = orm.Handoff
        total = connection.scalar(select(func.count()).select_from(h))
        open_ = connection.scalar(select(func.count()).select_from(h).where(h.resolved_at.is_(None)))
        breached = connection.scalar(select(func.count()).select_from(h).where(h.resolved_at.is_(None), h.due_at < now))
        undated = connection.scalar(
            select(func.count()).select_from(h).where(h.resolved_at.is_(None), h.due_at.is_(None))
        )
        ids = list(connection.scalars(select(h.id)))
    by_status = Counter(row["status"] for row in rows)
    soon = sum(1 for r in rows if r["due_at"] and now <= r["due_at"] < now + timedelta(hours=4))
    print(
        f"handoffs: {total} ({open_} open: {breached} breached, {soon} due within 4 h, {undated} with no running "
        f"dated clock; by status {dict(sorted(by_status.items()))})"
    )
    print(
        f"generated in {gen_s:.1f} s ({factory.computed} distinct clock computations), inserted in {insert_s:.1f} s; "
        f"database {database_size(db.engine, url)}",
        flush=True,
    )
    return ids, open_


def run(args) -> None:
    from bench.common import silent_notifier
    from bot.app.bootstrap import import_file
    from bot.app.container import build
    from bot.app.settings import Settings
    from bot.clock import FixedClock
    from bot.grammar import parse_command, parse_mention
    from bot.services import home as home_service
    from handlers.views.home import home_view
    from tests.support.in_process import InProcess

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp, bench_database(args.postgres, Path(tmp)) as url:
        db = open_migrated(url, args.postgres)
        clock = FixedClock(T0)
        org, _ = import_file(db, EXAMPLE, "bench", clock)
        runtime = InProcess(build(Settings(database_url=url), db, clock, silent_notifier()))
        with runtime.unit() as store:
            matrix = runtime.deps.matrices.get(store, org).matrix
        ids, open_ = load_handoffs(db, url, org, matrix, rng, args)
        gc.collect()  # the generator's 100,000 dicts are garbage now; collect them before measuring

        sla_cmd = parse_command("/tandem", "sla")
        users = sorted(matrix.people)
        status_ids = [rng.choice(ids) for _ in range(args.calls + 20)]

        def sla(_i: int):
            return runtime.answer(sla_cmd, "U0ALICE01", CHANNEL)

        def home(i: int):
            user = users[i % len(users)]
            with runtime.unit(read_only=True) as store:  # as `app_home_opened` reads it
                loaded = runtime.deps.matrices.for_request(store, None, user)
                return home_view(home_service.build(store, loaded.matrix, user, runtime.clock.now()))

        def status(i: int):
            return runtime.answer(parse_mention(f"<@U0TANDEM1> status {status_ids[i]}"), "U0ALICE01", CHANNEL)

        reply = sla(0)
        assert f"{open_} open handoffs" in reply.text, reply.text
        assert "Status of #" in str(status(0).blocks)

        print(
            f"load average before measuring: {load_average()} "
            f"({os.cpu_count()} CPUs; other processes on the machine skew the numbers)",
            flush=True,
        )
        results = []
        for name, fn in (("/tandem sla", sla), ("App Home build + view", home), ("@tandem status <id>", status)):
            samples, first = measure(fn, args.calls)
            results.append((name, fn, samples, first))
        print()
        print(table([stat_row(n, s, f, P99_TARGET_MS) for n, _, s, f in results], STAT_HEADER))
        print(f"(/tandem sla answers: {reply.text!r}; 'first ms' is the first call, before the warm-up)")
        print()
        print(table(breakdown(runtime, org, users, args.calls), STAT_HEADER[:6]))
        print(f"load average after measuring: {load_average()}")

        print(f"\nQuery plans ({db.engine.dialect.name}) of the statements these paths send that touch handoffs:")
        captured = {}
        for name, fn, _, _ in results:
            with captured_sql(db.engine) as seen:
                fn(1)
            captured[name] = list(seen)
        full_scans = print_plans(db.engine, captured)
        print(f"\n{full_scans} statement(s) with a full scan of handoffs.")

        for name, fn, samples, _ in results:
            if percentile(samples, 99) * 1000 >= P99_TARGET_MS or args.profile:
                print(f"\ncProfile of {name} (20 calls, cumulative):")
                print_profile(lambda fn=fn: fn(3), repeat=20, lines=25)
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handoffs_scale", description=__doc__.split("\n")[0])
    add_postgres_argument(parser)
    parser.add_argument(
        "--handoffs", type=int, default=100_000, help="handoffs to load (default 100000; 5000 for a smoke run)"
    )
    parser.add_argument("--open-share", type=float, default=0.2)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of each path even when its target is met"
    )
    args = parser.parse_args(argv)
    return report_failure(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
