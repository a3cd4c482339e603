"""What one signed read-only request costs in process: Tandem's WSGI stack against bare Bolt's.

    .venv/bin/python -m bench.request_cost [--command owner|sla|hours] [--requests 2000] [--rounds 7]
        [--postgres URL] [--instructions] [--org-wide | --oauth]

Builds each app the way a gunicorn worker does (`tandem run`'s `bot.app.server.http_stack`
over a database holding `examples/matrix.yml`; `bench.bare_app.build`), warms it, then calls it sequentially with signed requests (the same pool `bench.http_load` sends) and prints
the CPU time per request, the best of `--rounds` rounds, for each and their ratio. No HTTP
server runs: this is the part of `http_load`'s server CPU that Tandem's own code decides, and
on a shared machine it moves far less than throughput does.

`--instructions` (needs valgrind) runs each measurement under callgrind, counting only the
measured requests, and prints instructions per request: a figure other people's load does not
move at all. `--org-wide`: the requests come from the provider's engineers in their own
workspace to an Enterprise Grid org-wide install (SLACK_BOT_TOKEN is the org's), which the
strangers' middleware admits by the matrix. `--oauth`: Tandem is installed by OAuth in the
pool's workspace (through its own install pages and the stand-in's `oauth.v2.access`), and
Bolt finds and checks that installation on each request it sees; the bare app keeps its
token. Prints a table; always exits 0.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.common import ROOT, table
from bench.databases import add_postgres_argument, bench_database

SERVERS = ("tandem", "bare")
ORG, PROVIDER, ENGINEERS = "E0OSPREY01", "T0MSP00001", ("U0PRIYA01", "U0SAM0001")
# auth.test of an org-wide bot token (/work/shared/slack/oauth/auth_test.json, osprey_org_wide_bot)
ORG_BOT = {
    "ok": True,
    "team_id": ORG,
    "user_id": "W0TANDEMG1",
    "bot_id": "B0TANDEMG1",
    "enterprise_id": ORG,
    "is_enterprise_install": True,
}


def environ_of(raw: bytes) -> dict:
    """The WSGI environ gunicorn would build for one raw HTTP request (body left as bytes)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    method, path, protocol = lines[0].split(" ")
    environ: dict = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_PROTOCOL": protocol, "QUERY_STRING": ""}
    environ.update({"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3000", "wsgi.url_scheme": "http", "body": body})
    for line in lines[1:]:
        name, value = line.split(": ", 1)
        name = name.upper().replace("-", "_")
        environ[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value
    return environ


# oauth.v2.access for the pool's workspace (/work/shared/slack/oauth/oauth_v2_access.json, workspace_install)
WORKSPACE_INSTALL = {
    "ok": True,
    "access_token": "xoxb-100000000001-100000000011-FAKEbenchworkspacebot01",
    "token_type": "bot",
    "scope": "app_mentions:read,channels:history,channels:read,chat:write,commands,groups:history",
    "bot_user_id": "W111",
    "app_id": "A111",
    "team": {"name": "Bench", "id": "T111"},
    "enterprise": None,
    "authed_user": {"id": "U0ALICE01"},
    "is_enterprise_install": False,
}


def install(app: Callable, standin) -> None:
    """Tandem installed by OAuth in the pool's workspace, through `app`'s own pages as a browser goes."""
    answered: dict = {}

    def get(path: str, query: str = "", cookie: str = "") -> dict:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1"}
        environ.update({"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3000", "wsgi.url_scheme": "http"})
        environ.update({"wsgi.input": io.BytesIO(b""), "HTTP_COOKIE": cookie})
        b"".join(app(environ, lambda status, headers, _exc=None: answered.update(status=status, headers=dict(headers))))
        return answered

    cookie = get("/slack/install")["headers"]["set-cookie"].split(";", 1)[0]
    standin.offer("bench-code", WORKSPACE_INSTALL)
    done = get("/slack/oauth_redirect", f"code=bench-code&state={cookie.split('=', 1)[1]}", cookie)
    assert done["status"].startswith("200"), done


def tandem_app(url: str) -> Callable:
    """Tandem's WSGI stack as `bot.app.cli.run_bot` builds it in each worker."""
    return tandem_parts(url)[0]


def tandem_parts(url: str) -> tuple[Callable, Any, Any]:
    """`tandem_app`'s WSGI stack, with the Bolt app and the container it serves."""
    from bot.app.bootstrap import import_file, open_database
    from bot.app.server import http_stack
    from bot.app.settings import Settings
    from bot.app.slack import create_app, create_client, slack_container
    from bot.clock import SystemClock
    from storage.db import Database

    os.environ["DATABASE_URL"] = url
    settings = Settings.from_env()
    db = open_database(settings)
    import_file(db, ROOT / "examples" / "matrix.yml", "bench", SystemClock(), lambda _warning: None)
    db.dispose()
    client = create_client(settings)
    container = slack_container(settings, Database(settings.database_url), SystemClock(), client)
    app = create_app(container, client)
    return http_stack(app, container), app, container


def measure(args: argparse.Namespace) -> dict:
    """In this process: build one app, warm it, time `--rounds` rounds of `--requests`."""
    from bench.http_load import CHANNEL, build_pool
    from tests.support.slack_requests import SIGNING_SECRET
    from tests.support.slack_standin import SlackStandIn

    with (
        SlackStandIn() as standin,
        tempfile.TemporaryDirectory(prefix="tandem-request-cost-") as tmp,
        bench_database(args.postgres, Path(tmp)) as url,
    ):
        os.environ.update({**standin.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "TANDEM_TICK_SECONDS": "0"})
        if args.server == "tandem" and args.oauth:
            from tests.support.slack_app import OAUTH

            os.environ.pop("SLACK_BOT_TOKEN")
            os.environ.update({f"SLACK_{name.upper()}": value for name, value in OAUTH.items()})
            app = tandem_app(url)
            install(app, standin)
        elif args.server == "tandem":
            app = tandem_app(url)
        else:
            from bench.bare_app import build

            app = build()
        if args.org_wide:
            standin.installed[standin.token] = dict(ORG_BOT)
            standin.org_teams[ORG] = ["T0OSPLAW01"]
            pool = build_pool(standin, 500, ((CHANNEL, PROVIDER),), args.command, True, ENGINEERS, ORG)
        else:
            pool = build_pool(standin, 500, command=args.command, keep_alive=True)
        environs = [environ_of(raw) for raw in pool]
        statuses: dict[str, int] = {}

        def start_response(status: str, _headers: list, _exc: object = None) -> None:
            statuses[status] = statuses.get(status, 0) + 1

        def call(i: int) -> bytes:
            environ = dict(environs[i % len(environs)])
            environ["wsgi.input"] = io.BytesIO(environ.pop("body"))
            answered: Iterable[bytes] = app(environ, start_response)
            return b"".join(answered)

        for i in range(300):
            call(i)
        sample = call(0)[:120].decode("utf-8", "replace")
        if args.counted:  # under callgrind: the parent counts instructions between the two lines
            print("ready", flush=True)
            sys.stdin.readline()
            for i in range(args.requests):
                call(i)
            print("done", flush=True)
            sys.stdin.readline()
            return {}
        rounds = []
        for _ in range(args.rounds):
            started = time.thread_time()
            for i in range(args.requests):
                call(i)
            rounds.append((time.thread_time() - started) / args.requests * 1e6)
        return {"us": min(rounds), "rounds": [round(r) for r in rounds], "statuses": statuses, "sample": sample}


def options(args: argparse.Namespace) -> list[str]:
    """The options a measuring child is given as they were given here."""
    return (
        (["--postgres", args.postgres] if args.postgres else [])
        + (["--org-wide"] if args.org_wide else [])
        + (["--oauth"] if args.oauth else [])
    )


def run_child(server: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, "-m", "bench.request_cost", "--server", server, "--command", args.command]
    command += ["--requests", str(args.requests), "--rounds", str(args.rounds), *options(args)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{server} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def count_instructions(server: str, args: argparse.Namespace) -> int:
    """Instructions callgrind counts over `--requests` requests, instrumentation on for them only."""
    out = Path(tempfile.mkdtemp(prefix="tandem-callgrind-")) / "callgrind.out"
    command = ["valgrind", "-q", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    command += [sys.executable, "-m", "bench.request_cost", "--server", server, "--command", args.command]
    command += ["--requests", str(args.requests), "--counted", *options(args)]
    child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    for want, switch in (("ready", "on"), ("done", "off")):
        while (line := child.stdout.readline()) and line.strip() != want:
            pass
        subprocess.run(["callgrind_control", "-i", switch, str(child.pid)], capture_output=True, check=False)
        child.stdin.write("\n")
        child.stdin.flush()
    child.wait(timeout=1800)
    totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    shutil.rmtree(out.parent, ignore_errors=True)
    return int(totals[0].split()[1]) if totals else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--command", choices=("owner", "sla", "hours"), default="owner")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; the fastest counts (default 7)")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    installed = parser.add_mutually_exclusive_group()
    installed.add_argument("--org-wide", action="store_true", help="from provider engineers to an org-wide install")
    installed.add_argument("--oauth", action="store_true", help="Tandem installed by OAuth in the workspace")
    parser.add_argument("--server", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--counted", action="store_true", help=argparse.SUPPRESS)
    add_postgres_argument(parser)
    args = parser.parse_args(argv)
    if args.server:
        print(json.dumps(measure(args)))
        return 0
    if args.instructions and shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind): timing CPU only")
        args.instructions = False
    print(
        f"/{args.command}, {args.requests} requests x {args.rounds} rounds, in process, sequential; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}{'; org-wide, provider engineers' if args.org_wide else ''}{'; OAuth' if args.oauth else ''}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    found = {server: run_child(server, args) for server in SERVERS}
    if args.instructions:
        for server in SERVERS:
            found[server]["instructions"] = count_instructions(server, args) / args.requests
    rows = []
    for server in SERVERS:
        r = found[server]
        row = [server, f"{r['us']:.0f}", " ".join(map(str, r["rounds"])), f"{r['us'] / found['bare']['us']:.2f}"]
        if args.instructions:
            row += [f"{r['instructions'] / 1e6:.2f} M", f"{r['instructions'] / found['bare']['instructions']:.2f}"]
        rows.append(row)
    header = ["app", "CPU µs/request", "each round", "x bare"]
    print(table(rows, header + (["instructions/request", "x bare"] if args.instructions else [])))
    for server in SERVERS:
        print(f"{server}: {found[server]['statuses']}; {found[server]['sample']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
