"""Signed slash commands over HTTP at concurrency 16: Tandem versus the best bare Bolt setups.

    .venv/bin/python -m bench.http_load [--rounds 3] [--seconds 10] [--concurrency 16]
        [--command owner|sla|handoff] [--postgres URL] [--generators python,wrk]
        [--workers N] [--threads N] [--only tandem,bare-sync,bare-async]

1. Starts the Slack Web API stand-in (`tests.support.slack_standin.SlackStandIn`) and three
   servers side by side, each idle until its turn:
   * `tandem`: `tandem run` in HTTP mode (`tests.support.bot_server.BotProcess`, SQLite in a
     temp dir or with `--postgres URL` a new database on that server, `examples/matrix.yml`);
   * `bare-sync`: `bench.bare_app sync`, a bare `App(process_before_response=True)` on the
     same gunicorn gthread stack, same workers and threads;
   * `bare-async`: `bench.bare_app async`, a bare `AsyncApp` on uvicorn with as many worker
     processes (skipped, and said so, without uvicorn and aiohttp: the `bench` extra).
2. In each of `--rounds` rounds, for each load generator, measures every server in turn
   (the order rotates from round to round), so a disturbance on this shared machine falls on
   all of them rather than on one. Every measurement gets freshly signed requests (Slack's
   signatures carry a timestamp valid for 5 minutes), a short unrecorded warm-up, then
   `--seconds` of load. The generators:
   * `python`: a separate client process (asyncio, one fresh connection per request,
     `Connection: close`) from `--concurrency` loops;
   * `wrk` (when installed): keep-alive connections replaying the same pre-signed requests
     from a generated Lua script, each reopened after 50 requests;
3. Reads the CPU time of each server's process tree from /proc before and after, and prints
   for each server and generator the median over rounds of req/s, p50, p99 and server CPU
   ms per request, with the ratios to the bare sync App and to the bare AsyncApp.

The best bare setup Tandem is judged against is the sync App with `process_before_response=True`
on the same gunicorn stack: the same server, so the ratio is what Tandem costs over Bolt. The
AsyncApp on uvicorn is another server; its ratio is printed for information (on some machines
uvicorn alone outruns gunicorn's gthread workers by a third, bare app against bare app).

Targets: for reads, Tandem throughput >= 0.9x the bare sync App's, p99 < 50 ms, server CPU per
request <= 1.3x its; for `--command handoff`, p99 < 150 ms (the ratios are printed, not judged:
the bare app does none of a write's work). Prints tables; always exits 0. Everything it starts is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import ROOT, machine_busy_seconds, percentile, table, verdict
from bench.databases import add_postgres_argument, bench_database

RATIO_TARGET = 0.90
P99_TARGET_MS = 50.0  # read-only commands
WRITE_P99_TARGET_MS = 150.0  # /handoff: a write, whose work the bare app does not do
WRITES = frozenset({"handoff"})
# A write's signed request counts once: the same bytes again are a replay, which Tandem drops
# before any work. Its pool holds a request for every one sent at up to this rate.
WRITE_CEILING_RPS = 2000
CPU_TARGET = 1.3
REQUEST_TIMEOUT_S = 10.0
REOPEN_EVERY = 50  # wrk: one request in this many closes its connection (see `wrk_script`)
MAX_REQUESTS = 500_000  # a hard bound on what one client run may send
SERVERS = ("tandem", "bare-sync", "bare-async")
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
# (slash command, the words after it) for each --command: the read-only /owner,
# /tandem sla and /tandem hours, and /handoff, which writes a handoff and posts it.
COMMANDS = {
    "owner": lambda i: ("/owner", QUERIES[i % len(QUERIES)]),
    "sla": lambda i: ("/tandem", "sla"),
    "hours": lambda i: ("/tandem", "hours"),
    "handoff": lambda i: ("/handoff", f"backups restore test {i} failed overnight, please look"),
}


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


def settled(pid: int, quiet_cores: float = 0.05, step: float = 0.25, limit: float = 60.0) -> float:
    """Wait until the server tree at `pid` is idle (below `quiet_cores` over a `step`): a write's
    work after the acknowledgements may still be running, and would run into the next server's
    round. How long that took, in seconds."""
    started = time.perf_counter()
    before = sum(tree_cpu_seconds(pid).values())
    while time.perf_counter() - started < limit:
        time.sleep(step)
        now = sum(tree_cpu_seconds(pid).values())
        if now - before < quiet_cores * step:
            break
        before = now
    return time.perf_counter() - started


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
    sent = 0  # warm-up included: a write's pool is sent once, in order
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    samples: dict[str, str] = {}

    async def loop(until: float, record: bool) -> None:
        nonlocal sent
        for n in counter:
            if time.perf_counter() >= until or (record and len(latencies) >= MAX_REQUESTS):
                return
            raw, sent = pool[n % len(pool)], sent + 1
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
        "replays": max(0, sent - len(pool)),
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


# -- wrk: keep-alive connections replaying pre-signed requests ----------------------------
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua_string(raw: bytes) -> str:
    """A Lua string literal for any bytes (decimal escapes, which LuaJIT reads too)."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in raw) + '"'


def wrk_script(pool: list[bytes], reopen_every: int = REOPEN_EVERY, start: int | None = None) -> str:
    """Each wrk thread replays the pool round-robin, starting at a different place (at `start`,
    when given: a write's pool is sent once, in order); every `reopen_every`-th request asks for
    `Connection: close`, so wrk opens that connection anew.

    With connections kept for the whole run, which gunicorn worker holds each one is settled by
    whichever accepted first when wrk connected: with most in one worker the other core sat idle
    (1.09 server cores of 2), and the same server measured 1,449 req/s in one round and 2,875
    in the next. Reopening
    each now and then lets the less busy worker take it, as a proxy's or Slack's connections do."""
    requests = ",\n".join(_lua_string(raw) for raw in pool)
    closing = ",\n".join(_lua_string(raw.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)) for raw in pool)
    return (
        f"local pool = {{\n{requests}\n}}\nlocal closing = {{\n{closing}\n}}\n"
        f"local n = {'math.random(#pool)' if start is None else start}\nlocal sent = 0\n"
        "request = function()\n  n = n % #pool + 1\n  sent = sent + 1\n"
        f"  if sent % {reopen_every} == 0 then return closing[n] end\n"
        "  return pool[n]\nend\n" + WRK_DONE
    )


def run_wrk(
    port: int, server_pid: int, scripts: list[Path], args: argparse.Namespace, once: tuple[int, int] | None = None
) -> dict:
    """The warm-up with `scripts[0]`, the measurement with `scripts[1]`; `once`: how many
    requests each holds that may be sent only once (a write's), to count the replays."""

    def wrk(seconds: float, script: Path) -> dict:
        command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
        done = subprocess.run(
            [*command, "-s", str(script), f"http://127.0.0.1:{port}/slack/events"],
            capture_output=True,
            text=True,
            timeout=seconds + REQUEST_TIMEOUT_S + 30,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return json.loads(lines[-1])

    replays = 0
    if args.warmup > 0:
        warm = wrk(args.warmup, scripts[0])
        replays += max(0, warm["requests"] - once[0]) if once else 0
    cpu0, busy0 = tree_cpu_seconds(server_pid), machine_busy_seconds()
    w = wrk(args.seconds, scripts[1])
    replays += max(0, w["requests"] - once[1]) if once else 0
    cpu1, busy = tree_cpu_seconds(server_pid), machine_busy_seconds() - busy0
    wall = w["duration_us"] / 1e6
    by_pid = {p: cpu1[p] - cpu0.get(p, 0.0) for p in cpu1}
    ok = w["requests"] - w["errors"]
    return {
        "requests": w["requests"],
        "ok": ok,
        "errors": w["errors"],
        "seconds": wall,
        "rps": ok / wall if wall else 0.0,
        "p50_ms": w["p50_us"] / 1000,
        "p90_ms": w["p90_us"] / 1000,
        "p99_ms": w["p99_us"] / 1000,
        "max_ms": w["max_us"] / 1000,
        "statuses": {},
        "samples": {},
        "replays": replays,
        "client_cpu_s": float("nan"),  # wrk's own CPU is counted in "other"
        "server_cpu_s": sum(by_pid.values()),
        "machine_busy_s": busy,
        "process_cores": sorted((round(c / wall, 2) for c in by_pid.values()), reverse=True) if wall else [],
    }


# -- the servers -------------------------------------------------------------------------
class _Drained:
    """Read a server's combined output on a thread, so a chatty server never blocks on a full pipe;
    `stop()` ends it and returns the last lines. Mixed into every server, which set `self.proc`."""

    def drain(self, proc: subprocess.Popen) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=200)

        def read() -> None:
            for line in proc.stdout:
                self.lines.append(line.rstrip())

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
    def __init__(self, standin, kind: str) -> None:
        from tests.support.bot_server import free_port
        from tests.support.slack_requests import SIGNING_SECRET

        self.name, self.kind = f"bare-{kind}", kind
        self.port = free_port()
        self.env = {**os.environ, **standin.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(self.port)}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> BareServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_app", self.kind],
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
        raise RuntimeError(f"bench.bare_app {self.kind} did not answer /healthz in time")


def server_defaults() -> tuple[str, str]:
    """The worker and thread defaults `Settings` applies, for the report."""
    from bot.app.settings import Settings

    return str(Settings.web_concurrency), str(Settings.threads)


def build_pool(
    standin,
    size: int,
    places: tuple[tuple[str, str], ...] = ((CHANNEL, "T111"),),
    command: str = "owner",
    keep_alive: bool = False,
    users: tuple[str, ...] = USERS,
    enterprise: str | None = None,
) -> list[bytes]:
    """Raw signed HTTP requests, signed now (valid for Slack's 5 minutes), spread over
    `places` ((channel, team) pairs) and `users`; with `enterprise`, as that Grid org's
    org-wide install receives them."""
    from tests.support import slack_requests as sr

    response_url = standin.response_url("bench")
    pool = []
    for i in range(size):
        name, text = COMMANDS[command](i)
        channel, team = places[i % len(places)]
        body, headers = sr.slash_command(
            name,
            text,
            user_id=users[i % len(users)],
            channel_id=channel,
            team_id=team,
            response_url=response_url,
            enterprise_id=enterprise,
            is_enterprise_install=enterprise is not None,
        )
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        close = "" if keep_alive else "Connection: close\r\n"
        pool.append(
            (
                f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {len(body)}\r\n{close}\r\n"
            ).encode()
            + body
        )
    return pool


def run_client(port: int, server_pid: int, pool_file: Path, args: argparse.Namespace) -> dict:
    """The Python client in a process of its own over `pool_file`, sent round-robin from the
    start (what it sent beyond the pool is counted as replays)."""
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


def measure(server, generator: str, standin, tmp: Path, args: argparse.Namespace) -> dict:
    """One round of `generator` against `server`. A write's requests are each sent once: its pool
    holds one for every request the warm-up and the measurement may send, in order, and what
    was sent beyond it is counted as replays."""
    write = args.command in WRITES
    size = max(args.pool, math.ceil(WRITE_CEILING_RPS * (args.warmup + args.seconds))) if write else args.pool
    pool = build_pool(standin, size, command=args.command, keep_alive=generator == "wrk")
    if generator == "wrk":
        split = math.ceil(len(pool) * args.warmup / (args.warmup + args.seconds)) if write else 0
        scripts = []
        for part, requests in (("warmup", pool[:split] or pool), ("measured", pool[split:])):
            script = tmp / f"pool-{server.name}-{part}.lua"
            script.write_text(wrk_script(requests, start=0 if write else None))
            scripts.append(script)
        return run_wrk(server.port, server.proc.pid, scripts, args, once=(split, len(pool) - split) if write else None)
    pool_file = tmp / f"pool-{server.name}.pickle"
    pool_file.write_bytes(pickle.dumps(pool))
    return run_client(server.port, server.proc.pid, pool_file, args)


# -- the report --------------------------------------------------------------------------
def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _cpu_ms(r: dict) -> float:
    return r["server_cpu_s"] / r["ok"] * 1000 if r["ok"] else float("nan")


def summarise(results: dict[tuple[str, str], list[dict]]) -> dict[tuple[str, str], dict]:
    """Median over rounds of each figure, per (generator, server)."""
    out = {}
    for key, runs in results.items():
        cores = [r["server_cpu_s"] / r["seconds"] for r in runs if r["seconds"]]
        other = [
            max(
                0.0,
                (r["machine_busy_s"] - r["server_cpu_s"]) / r["seconds"]
                - (0.0 if r["client_cpu_s"] != r["client_cpu_s"] else r["client_cpu_s"] / r["seconds"]),
            )
            for r in runs
            if r["seconds"]
        ]
        out[key] = {
            "rounds": len(runs),
            "rps": _median(runs, "rps"),
            "rps_all": [round(r["rps"]) for r in runs],
            "p50_ms": _median(runs, "p50_ms"),
            "p99_ms": _median(runs, "p99_ms"),
            "max_ms": max(r["max_ms"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "replays": sum(r.get("replays", 0) for r in runs),
            "cpu_ms": statistics.median(_cpu_ms(r) for r in runs),
            "cores": statistics.median(cores) if cores else float("nan"),
            "other": statistics.median(other) if other else float("nan"),
        }
    return out


def report(summary: dict[tuple[str, str], dict], generators: list[str], command: str = "owner") -> None:
    """The figures, then the targets: for a read, throughput and CPU against the bare sync App on
    the same gunicorn stack (else the fastest bare app measured) and p99 < 50 ms; for a write,
    p99 < 150 ms, the ratios shown but not judged. The ratio to the AsyncApp is information."""
    rows, checks = [], []
    write = command in WRITES
    p99_target = WRITE_P99_TARGET_MS if write else P99_TARGET_MS

    def judged(ok: bool) -> str:
        return "(info)" if write else verdict(ok)

    for generator in generators:
        bare = {n: s for (g, n), s in summary.items() if g == generator and n != "tandem"}
        best = bare.get("bare-sync") or (max(bare.values(), key=lambda s: s["rps"]) if bare else None)
        other = bare.get("bare-async")
        for (g, name), s in summary.items():
            if g != generator:
                continue
            ratio = s["rps"] / best["rps"] if best and best["rps"] else float("nan")
            cpu_ratio = s["cpu_ms"] / best["cpu_ms"] if best and best["cpu_ms"] else float("nan")
            async_ratio = s["rps"] / other["rps"] if other and other["rps"] else float("nan")
            rows.append(
                [
                    generator,
                    name,
                    f"{s['rps']:.0f}",
                    " ".join(map(str, s["rps_all"])),
                    f"{s['p50_ms']:.1f}",
                    f"{s['p99_ms']:.1f}",
                    f"{s['max_ms']:.0f}",
                    s["errors"],
                    f"{s['cores']:.2f}",
                    f"{s['cpu_ms']:.2f}",
                    f"{ratio:.2f}",
                    f"{cpu_ratio:.2f}",
                    f"{async_ratio:.2f}",
                    f"{s['other']:.2f}",
                ]
            )
            if name == "tandem" and best:
                checks += [
                    [
                        f"{generator}: throughput / bare sync App",
                        f"{ratio:.2f}",
                        f">= {RATIO_TARGET}",
                        judged(ratio >= RATIO_TARGET),
                    ],
                    [
                        f"{generator}: Tandem p99",
                        f"{s['p99_ms']:.1f} ms",
                        f"< {p99_target:.0f} ms",
                        verdict(s["p99_ms"] < p99_target),
                    ],
                    [
                        f"{generator}: CPU per request / bare sync App",
                        f"{cpu_ratio:.2f}",
                        f"<= {CPU_TARGET}",
                        judged(cpu_ratio <= CPU_TARGET),
                    ],
                ]
                if other:
                    checks.append(
                        [f"{generator}: throughput / AsyncApp on uvicorn", f"{async_ratio:.2f}", "", "(info)"]
                    )
            checks.append([f"{generator}: {name} errors", s["errors"], "0", verdict(s["errors"] == 0)])
            if write and name == "tandem":  # each measured request was a new write, none a dropped replay
                checks.append([f"{generator}: tandem replays", s["replays"], "0", verdict(s["replays"] == 0)])
    header = [
        "load",
        "server",
        "req/s",
        "each round",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "server cores",
        "CPU ms/req",
        "x bare sync",
        "CPU x sync",
        "x async",
        "other cores*",
    ]
    print(table(rows, header))
    print(
        "medians over rounds; * CPU the rest of the machine used meanwhile (the stand-in, this "
        "process, wrk, other people's work); much above 0.1 means the numbers are disturbed"
    )
    print()
    print(table(checks, ["target", "measured", "target", "result"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_load", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement per server, generator and round")
    parser.add_argument("--warmup", type=float, default=1.0, help="unrecorded warm-up before each (default 1)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--command", choices=sorted(COMMANDS), default="owner")
    parser.add_argument("--generators", default="python,wrk", help="python, wrk or both (default)")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for every server (default: bot/server.py's)")
    parser.add_argument("--threads", type=int, help="TANDEM_THREADS for the gunicorn servers")
    parser.add_argument("--pool", type=int, default=2000, help="pre-built signed requests (default 2000)")
    parser.add_argument("--only", default=",".join(SERVERS), help="servers to run, comma-separated")
    add_postgres_argument(parser)
    parser.add_argument("--client-pool", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_pool:
        return client_main(args)

    from tests.support.slack_standin import SlackStandIn

    generators = [g for g in args.generators.split(",") if g]
    if "wrk" in generators and shutil.which("wrk") is None:
        print("wrk is not installed: measuring with the Python client only (apt-get install wrk)")
        generators.remove("wrk")
    names = [n for n in SERVERS if n in args.only.split(",")]
    if "bare-async" in names:
        try:
            import aiohttp  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            print("uvicorn or aiohttp missing (pip install -e '.[bench]'): no bare-async")
            names.remove("bare-async")
    default_workers, default_threads = server_defaults()
    env = {}
    if args.workers is not None:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads is not None:
        env["TANDEM_THREADS"] = str(args.threads)
    print(
        f"workers={env.get('WEB_CONCURRENCY', default_workers)} threads={env.get('TANDEM_THREADS', default_threads)} "
        f"({'flags' if env else 'bot/server.py defaults'}); /{args.command}; concurrency {args.concurrency}; "
        f"{args.rounds} rounds x {args.seconds:g} s after {args.warmup:g} s warm-up; load {', '.join(generators)}; "
        f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )

    results: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    servers = []
    with (
        SlackStandIn() as standin,
        tempfile.TemporaryDirectory(prefix="tandem-http-bench-") as tmpdir,
        bench_database(args.postgres, Path(tmpdir)) as url,
    ):
        tmp = Path(tmpdir)
        print(f"Tandem database: {url.split('@')[-1]}", flush=True)
        try:
            for name in names:
                server = _bot_process_class()(standin, url) if name == "tandem" else BareServer(standin, name[5:])
                for variable in ("WEB_CONCURRENCY", "TANDEM_THREADS"):  # bot/server.py's defaults unless flags set them
                    server.env.pop(variable, None)
                server.env.update(env)
                started = time.perf_counter()
                servers.append(server.start())
                print(f"{name} up in {time.perf_counter() - started:.1f} s", flush=True)
            for round_ in range(args.rounds):
                for generator in generators:
                    shift = round_ % len(servers)
                    for server in servers[shift:] + servers[:shift]:
                        result = measure(server, generator, standin, tmp, args)
                        results[(generator, server.name)].append(result)
                        after = ""
                        if args.command in WRITES:
                            drained = settled(server.proc.pid)
                            after = f", {result.get('replays', 0)} replays, its work done {drained:.1f} s after"
                        print(
                            f"round {round_ + 1} {generator:6} {server.name:10} {result['rps']:6.0f} req/s "
                            f"p99 {result['p99_ms']:5.1f} ms, {_cpu_ms(result):.2f} CPU ms/req, {result['errors']} errors, "
                            f"cores by process {' '.join(map(str, result['process_cores'][:3]))}{after}",
                            flush=True,
                        )
        finally:
            tails = {server.name: server.stop() for server in servers}
    print()
    report(summarise(results), generators, args.command)
    for (generator, name), runs in results.items():
        statuses = collections.Counter()
        for r in runs:
            statuses.update(r["statuses"])
        samples = {k: v for r in runs for k, v in r["samples"].items()}
        if statuses:
            print(f"\n{generator} {name}: statuses {dict(statuses)}")
        for status, sample in samples.items():
            print(f"  sample {status}: {sample[:160]}")
    for name, tail in tails.items():
        if "Traceback" in tail:
            print(f"\n{name} logged a traceback:\n" + "\n".join(tail.splitlines()[-15:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
