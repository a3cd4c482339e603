"""Signed `/owner` over HTTP at concurrency 16: Tandem versus a bare Bolt app, same server.

    .venv/bin/python -m bench.http_load [--seconds 30] [--concurrency 16]
                                        [--workers N] [--threads N] [--only tandem|bare]

1. Starts the Slack Web API stand-in (`tests.support.slack_standin.SlackStandIn`) on
   127.0.0.1 and `tandem run` in HTTP mode as a subprocess (`tests.support.bot_server.
   BotProcess`: SQLite in a temp dir, `examples/matrix.yml`).
2. A separate client process (asyncio, one fresh connection per request, `Connection:
   close`, so it does not share a GIL with anything it measures) sends signed `/owner`
   slash commands drawn from a pre-built pool (`tests.support.slack_requests.slash_command`)
   from 16 concurrent loops: a short warm-up, then `--seconds` of measurement.
3. Does the same against `bench.bare_app` (Bolt + `SlackRequestHandler`, `ack("fixed")`) on
   the same gunicorn gthread stack, same workers and threads, same signing secret.

Without `--workers/--threads` neither `WEB_CONCURRENCY` nor `TANDEM_THREADS` is set, so both
servers run with the defaults `bot/server.py` applies. Targets: Tandem p99 < 100 ms and
throughput >= 70 % of bare. Prints a table; always exits 0. Everything it starts is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import ROOT, machine_busy_seconds, percentile, table, verdict

P99_TARGET_MS = 100.0
RATIO_TARGET = 0.70
REQUEST_TIMEOUT_S = 10.0
MAX_REQUESTS = 500_000  # a hard bound on what one client run may send
CHANNEL, USERS = "C0SHARED01", ("U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001")
# What people type after /owner against the example matrix: exact names and aliases,
# sentences, typos, an ambiguous word and things the matrix does not know.
QUERIES = (
    "backups",
    "vpn",
    "password resets",
    "label printer",
    "who owns the printers?",
    "edr",
    "bakcups",
    "windwos updates",
    "firewall rule for the new office",
    "security",
    "restore test",
    "new starter laptop",
    "office 365",
    "coffee machine descaling",
    "the wifi in meeting room 2 keeps dropping",
    "ransomware",
    "adobe licences",
    "noc",
)


# -- server tree CPU from /proc (no psutil here) ---------------------------------------
def _tree(pid: int) -> list[int]:
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents[ppid].append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, ()))
    return found


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """utime + stime of a process and each of its live descendants, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[p] = (int(fields[11]) + int(fields[12])) / ticks
    return found


# -- the client (runs in its own process) -------------------------------------------------
async def _one(port: int, raw: bytes) -> tuple[int | str, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read(-1)  # the server closes after the response
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else "bad-response"), body


async def _drive(
    port: int, pool: list[bytes], concurrency: int, warmup: float, seconds: float, server_pid: int | None
) -> dict:
    counter = iter(range(MAX_REQUESTS * 2))
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    samples: dict[str, str] = {}

    async def loop(until: float, record: bool) -> None:
        for n in counter:
            if time.perf_counter() >= until or (record and len(latencies) >= MAX_REQUESTS):
                return
            raw = pool[n % len(pool)]
            start = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(_one(port, raw), REQUEST_TIMEOUT_S)
            except (TimeoutError, OSError) as error:
                status, body = type(error).__name__, b""
            elapsed = time.perf_counter() - start
            if record:
                latencies.append(elapsed)
                statuses[str(status)] += 1
                samples.setdefault(str(status), body[:300].decode("utf-8", "replace"))

    if warmup > 0:
        await asyncio.gather(*(loop(time.perf_counter() + warmup, False) for _ in range(concurrency)))
    cpu0 = tree_cpu_seconds(server_pid) if server_pid else {}
    own0, busy0, wall0 = time.process_time(), machine_busy_seconds(), time.perf_counter()
    end = wall0 + seconds
    await asyncio.gather(*(loop(end, True) for _ in range(concurrency)))
    wall = time.perf_counter() - wall0
    own, cpu1 = time.process_time() - own0, tree_cpu_seconds(server_pid) if server_pid else {}
    by_pid = {p: cpu1[p] - cpu0.get(p, 0.0) for p in cpu1}
    busy = machine_busy_seconds() - busy0
    ordered = sorted(latencies)
    ok = statuses.get("200", 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "seconds": wall,
        "rps": ok / wall if wall else 0.0,
        "p50_ms": percentile(ordered, 50) * 1000,
        "p90_ms": percentile(ordered, 90) * 1000,
        "p99_ms": percentile(ordered, 99) * 1000,
        "max_ms": (ordered[-1] * 1000) if ordered else float("nan"),
        "statuses": dict(statuses),
        "samples": samples,
        "client_cpu_s": own,
        "server_cpu_s": sum(by_pid.values()),
        "machine_busy_s": busy,
        # per process, busiest first: the gunicorn workers (and the master, near 0)
        "process_cores": sorted((round(c / wall, 2) for c in by_pid.values()), reverse=True) if wall else [],
    }


def client_main(args: argparse.Namespace) -> int:
    pool = pickle.loads(Path(args.client_pool).read_bytes())
    result = asyncio.run(_drive(args.port, pool, args.concurrency, args.warmup, args.seconds, args.server_pid))
    print(json.dumps(result))
    return 0


# -- the servers -------------------------------------------------------------------------
class _Drained:
    """Read a server's combined output on a thread, so a chatty server never blocks on a full pipe;
    `stop()` ends it and returns the last lines. Mixed into both servers, which set `self.proc`."""

    def drain(self, proc: subprocess.Popen) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=200)
        self.line_count = 0

        def read() -> None:
            for line in proc.stdout:
                self.lines.append(line.rstrip())
                self.line_count += 1

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def stop(self) -> str:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            reader = getattr(self, "reader", None)
            if reader is not None:
                reader.join(timeout=5)
            self.proc = None
        return "\n".join(getattr(self, "lines", ()))


def _bot_process_class():
    from tests.support.bot_server import BotProcess

    class TandemServer(_Drained, BotProcess):
        name = "tandem"

        def start(self, timeout: float = 60) -> TandemServer:
            BotProcess.start(self, timeout)
            self.drain(self.proc)
            return self

    return TandemServer


class BareServer(_Drained):
    name = "bare"

    def __init__(self, standin) -> None:
        from tests.support.bot_server import free_port
        from tests.support.slack_requests import SIGNING_SECRET

        self.port = free_port()
        self.env = {**os.environ, **standin.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(self.port)}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> BareServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_app"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bench.bare_app exited {self.proc.returncode}:\n{self.proc.stdout.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        self.drain(self.proc)
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("bench.bare_app did not answer /healthz in time")


def server_defaults() -> tuple[str, str]:
    """The worker and thread defaults `Settings` applies, for the report."""
    from bot.app.settings import Settings

    return str(Settings.web_concurrency), str(Settings.threads)


def build_pool(standin, size: int, places: tuple[tuple[str, str], ...] = ((CHANNEL, "T111"),)) -> list[bytes]:
    """Signed `/owner` requests as raw HTTP, spread over `places` ((channel, team) pairs)."""
    from tests.support import slack_requests as sr

    response_url = standin.response_url("bench")
    pool = []
    for i in range(size):
        channel, team = places[i % len(places)]
        body, headers = sr.slash_command(
            "/owner",
            QUERIES[i % len(QUERIES)],
            user_id=USERS[i % len(USERS)],
            channel_id=channel,
            team_id=team,
            response_url=response_url,
        )
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        pool.append(
            (
                f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + body
        )
    return pool


def run_client(port: int, server_pid: int, pool_file: Path, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.http_load",
        "--client-pool",
        str(pool_file),
        "--port",
        str(port),
        "--server-pid",
        str(server_pid),
        "--concurrency",
        str(args.concurrency),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=args.seconds + args.warmup + REQUEST_TIMEOUT_S + 30,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"client failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(server, standin, tmp: Path, args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    server.start()
    boot = time.perf_counter() - started
    try:
        pool_file = tmp / f"pool-{server.name}.pickle"
        pool_file.write_bytes(pickle.dumps(build_pool(standin, args.pool)))  # fresh timestamps
        result = run_client(server.port, server.proc.pid, pool_file, args)
    finally:
        output = server.stop()
    result["boot_s"] = boot
    result["log_lines"] = server.line_count
    result["log_tail"] = output.splitlines()[-5:]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_load", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measurement time per server (default 30)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unrecorded warm-up per server (default 1)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for both servers (default: bot/server.py's)")
    parser.add_argument("--threads", type=int, help="TANDEM_THREADS for both servers (default: bot/server.py's)")
    parser.add_argument("--pool", type=int, default=2000, help="pre-built signed requests (default 2000)")
    parser.add_argument("--only", choices=("tandem", "bare"))
    parser.add_argument("--client-pool", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_pool:
        return client_main(args)

    from tests.support.slack_standin import SlackStandIn

    default_workers, default_threads = server_defaults()
    env = {}
    if args.workers is not None:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads is not None:
        env["TANDEM_THREADS"] = str(args.threads)
    workers = env.get("WEB_CONCURRENCY", default_workers)
    threads = env.get("TANDEM_THREADS", default_threads)
    print(
        f"gunicorn gthread, workers={workers} threads={threads} "
        f"({'flags' if env else 'bot/server.py defaults'}); client: 1 process, asyncio, "
        f"concurrency {args.concurrency}, new connection per request; {args.seconds:g} s each "
        f"after {args.warmup:g} s warm-up; {os.cpu_count()} CPUs",
        flush=True,
    )

    results: dict[str, dict] = {}
    with SlackStandIn() as standin, tempfile.TemporaryDirectory(prefix="tandem-http-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for name, make in (
            ("tandem", lambda: _bot_process_class()(standin, f"sqlite:///{tmp / 'tandem.db'}")),
            ("bare", lambda: BareServer(standin)),
        ):
            if args.only not in (None, name):
                continue
            server = make()
            for variable in ("WEB_CONCURRENCY", "TANDEM_THREADS"):  # bot/server.py's defaults unless flags set them
                server.env.pop(variable, None)
            server.env.update(env)
            results[name] = measure(server, standin, tmp, args)
            print(f"{name + ':':7} {results[name]['rps']:.0f} req/s", flush=True)

    print()
    rows = []
    for name, r in results.items():
        cores = r["server_cpu_s"] / r["seconds"] if r["seconds"] else 0.0
        ccores = r["client_cpu_s"] / r["seconds"] if r["seconds"] else 0.0
        other = max(0.0, r["machine_busy_s"] / r["seconds"] - cores - ccores) if r["seconds"] else 0.0
        rows.append(
            [
                name,
                r["requests"],
                f"{r['rps']:.1f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p90_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['max_ms']:.1f}",
                r["errors"],
                f"{cores:.2f}",
                f"{r['server_cpu_s'] / r['ok'] * 1000 if r['ok'] else 0:.2f}",
                f"{ccores:.2f}",
                f"{other:.2f}",
                f"{r['boot_s']:.1f}",
            ]
        )
    print(
        table(
            rows,
            [
                "server",
                "requests",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "errors",
                "server cores",
                "server CPU ms/req",
                "client cores",
                "other cores*",
                "boot s",
            ],
        )
    )
    print(
        "* CPU the rest of the machine used meanwhile (this process, the stand-in, anything else "
        "running); much above 0.1 means the numbers are disturbed"
    )
    print()
    checks = []
    if "tandem" in results:
        t = results["tandem"]
        checks.append(
            ["Tandem p99", f"{t['p99_ms']:.1f} ms", f"< {P99_TARGET_MS:.0f} ms", verdict(t["p99_ms"] < P99_TARGET_MS)]
        )
    if "tandem" in results and "bare" in results and results["bare"]["rps"]:
        ratio = results["tandem"]["rps"] / results["bare"]["rps"]
        checks.append(
            ["Tandem / bare throughput", f"{ratio:.1%}", f">= {RATIO_TARGET:.0%}", verdict(ratio >= RATIO_TARGET)]
        )
    for name, r in results.items():
        checks.append([f"{name} errors (non-200)", r["errors"], "0", verdict(r["errors"] == 0)])
    print(table(checks, ["target", "measured", "target", "result"]))
    for name, r in results.items():
        print(
            f"\n{name}: statuses {r['statuses']}; cores per server process {r['process_cores']}; "
            f"server log lines {r['log_lines']}"
        )
        for status, sample in r["samples"].items():
            print(f"  sample {status}: {sample[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
