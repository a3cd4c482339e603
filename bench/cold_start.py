"""No cold starts: a fresh `tandem run` worker's boot, memory and first `/owner`.

    .venv/bin/python -m bench.cold_start [--postgres URL] [--areas 10000] [--orgs 200] [--starts 3]

For each case a fresh database (SQLite in a temporary directory, or a new PostgreSQL
database with `--postgres URL`, dropped after) is filled through the real import service,
then `tandem run` (one gunicorn worker, `tests.support.bot_server.BotProcess`, no matrix
file) is started `--starts` times against it. Each start measures:

* boot: from launching the process until `/healthz` answers 200 (polled every 0.1 s), and the
  CPU time the process tree used until then (what the target compares: wall time on a shared
  machine swings by seconds with the load);
* RSS of the process tree (gunicorn master and worker) after boot, and after the first answer;
* the first signed `/owner` over HTTP (its matrix not yet loaded in that worker), then the
  second (warm), as Slack would send them, from the organisation's shared channel.

Cases: one organisation with the example matrix; `--orgs` organisations of 20 areas each
(`bench.fleet_scale`'s matrices, each its own channel and workspace); one organisation with
an `--areas` matrix (`bench.matrix_scale`'s generator).

Targets: the first `/owner` at `--areas` areas within Slack's 3 s; with `--orgs`
organisations, boot CPU no more than with one (within 10 % or 0.3 s) and RSS no larger
(within 10 % or 5 MB): a worker loads a matrix on its first use, not all of them at boot.
Prints a table; always exits 0.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from bench.common import EXAMPLE, load_average, machine_busy_seconds, percentile, report_failure, table, verdict

FIRST_OWNER_TARGET_S = 3.0
BOOT_SLACK, BOOT_NOISE_S = 1.10, 0.3
RSS_SLACK, RSS_NOISE_MB = 1.10, 5.0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB."""
    from bench.http_load import _tree

    total = 0
    for p in _tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def fill(db, case: str, args) -> tuple[str, str, str]:
    """Import the case's matrices; return the (channel, team, question) of the organisation asked."""
    from bot.clock import SystemClock
    from bot.matrix.loader import load_text
    from bot.services.matrices import import_matrix
    from storage.store import Units

    units, clock = Units(db), SystemClock()
    started = time.perf_counter()
    if case == "areas":
        from bench.matrix_scale import generate_areas, matrix_text

        rng = random.Random(args.seed)
        areas = generate_areas(args.areas, rng)
        texts = [matrix_text(areas, rng)]
        place = ("C0SHARED01", "T111", areas[len(areas) // 2].name.lower())
    elif case == "orgs":
        from bench.fleet_scale import client_matrix

        made = [client_matrix(n) for n in range(args.orgs)]
        texts = [text for _, text in made]
        (_, channel, team), _ = made[len(made) // 2]
        place = (channel, team, "printing")
    else:
        texts = [EXAMPLE.read_text(encoding="utf-8")]
        place = ("C0SHARED01", "T111", "printing")
    for n, text in enumerate(texts):
        with units() as store:
            import_matrix(store, load_text(text, source=f"matrix-{n}"), "bench", clock.now())
    print(f"  {case}: {len(texts)} matrix(es) imported in {time.perf_counter() - started:.1f} s", flush=True)
    return place


def ask(standin, server, channel: str, team: str, question: str) -> tuple[float, str]:
    """One signed `/owner` over HTTP: (seconds until answered, the answer's text)."""
    from tests.support import slack_requests as sr

    body, headers = sr.slash_command(
        "/owner",
        question,
        user_id="U0ALICE01",
        channel_id=channel,
        team_id=team,
        response_url=standin.response_url("cold"),
    )
    start = time.perf_counter()
    status, _, raw = sr.post(server.events_url, body, headers, timeout=30)
    took = time.perf_counter() - start
    text = json.loads(raw).get("text", "") if status == 200 and raw else f"HTTP {status}"
    return took, text


def start_once(standin, url: str, place: tuple[str, str, str]) -> dict:
    """Start a worker, time its boot and first two answers, read its memory; stop it."""
    from bench.http_load import _bot_process_class, tree_cpu_seconds

    server = _bot_process_class()(standin, url, matrix=None)
    server.env.update({"WEB_CONCURRENCY": "1", "TANDEM_THREADS": "4"})
    began = time.perf_counter()
    server.start()
    try:
        boot = time.perf_counter() - began
        assert server.proc is not None
        rss_boot = tree_rss_mb(server.proc.pid)
        cpu_boot = sum(tree_cpu_seconds(server.proc.pid).values())
        first, answer = ask(standin, server, *place)
        second, _ = ask(standin, server, *place)
        rss_after = tree_rss_mb(server.proc.pid)
    finally:
        server.stop()
    if "not linked" in answer or "No matrix" in answer or answer.startswith("HTTP"):
        raise RuntimeError(f"/owner was not answered from the matrix: {answer}")
    return {
        "boot": boot,
        "cpu_boot": cpu_boot,
        "rss_boot": rss_boot,
        "rss_after": rss_after,
        "first": first,
        "second": second,
    }


def median(results: list[dict], key: str) -> float:
    return percentile(sorted(r[key] for r in results), 50)


def run(args) -> None:
    from bench.databases import bench_database, open_migrated
    from tests.support.slack_standin import SlackStandIn

    busy0, wall0 = machine_busy_seconds(), time.perf_counter()
    print(f"load average before: {load_average()}", flush=True)
    labels = {"one": "1 organisation (example, 17 areas)", "orgs": f"{args.orgs} organisations, 20 areas each",
              "areas": f"1 organisation, {args.areas:,} areas"}  # fmt: skip
    found: dict[str, dict[str, float]] = {}
    rows = []
    with SlackStandIn() as standin:
        for case in ("one", "orgs", "areas"):
            with (
                tempfile.TemporaryDirectory(prefix="tandem-cold-") as tmpdir,
                bench_database(args.postgres, Path(tmpdir)) as url,
            ):
                db = open_migrated(url, args.postgres)
                place = fill(db, case, args)
                db.dispose()
                results = [start_once(standin, url, place) for _ in range(args.starts)]
            found[case] = {key: median(results, key) for key in results[0]}
            m = found[case]
            rows.append(
                [
                    labels[case],
                    f"{m['boot']:.2f} s ({m['cpu_boot']:.2f} s CPU)",
                    f"{m['rss_boot']:.0f} MB",
                    f"{m['first'] * 1000:.0f} ms",
                    f"{m['second'] * 1000:.1f} ms",
                    f"{m['rss_after']:.0f} MB",
                    " / ".join(f"{r['first'] * 1000:.0f}" for r in results),
                ]
            )
    print()
    print(
        table(
            rows,
            ["case (median of starts)", "boot", "RSS at boot", "first /owner", "second", "RSS after", "first, each ms"],
        )
    )
    one, many, big = found["one"], found["orgs"], found["areas"]
    # CPU, not wall: on a shared machine the wall time of a start varies by seconds with the load
    boot_ok = many["cpu_boot"] <= max(one["cpu_boot"] * BOOT_SLACK, one["cpu_boot"] + BOOT_NOISE_S)
    rss_ok = many["rss_boot"] <= max(one["rss_boot"] * RSS_SLACK, one["rss_boot"] + RSS_NOISE_MB)
    print()
    verdicts = [
        [
            f"first /owner at {args.areas:,} areas",
            f"{big['first']:.2f} s",
            "< 3 s",
            verdict(big["first"] < FIRST_OWNER_TARGET_S),
        ],
        [
            f"boot CPU with {args.orgs} organisations vs 1 (wall {many['boot']:.2f} vs {one['boot']:.2f} s)",
            f"{many['cpu_boot']:.2f} vs {one['cpu_boot']:.2f} s",
            "within 10 % or 0.3 s",
            verdict(boot_ok),
        ],
        [
            f"RSS at boot with {args.orgs} organisations vs 1",
            f"{many['rss_boot']:.0f} vs {one['rss_boot']:.0f} MB",
            "within 10 % or 5 MB",
            verdict(rss_ok),
        ],
    ]
    print(table(verdicts, ["measure", "value", "target", "result"]))
    wall = time.perf_counter() - wall0
    other = (machine_busy_seconds() - busy0) / wall
    print(f"\nload average after: {load_average()}; the machine's busy cores meanwhile: {other:.2f} (all processes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.split("\n")[0])
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--starts", type=int, default=3, help="fresh starts per case (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    from bench.databases import add_postgres_argument

    add_postgres_argument(parser)
    args = parser.parse_args(argv)
    return report_failure(lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
