"""What one `/handoff` and one button press cost in process, their work after the
acknowledgement included: CPU, SQL statements and transactions per request.

    .venv/bin/python -m bench.write_cost [--requests 200] [--postgres URL]

Builds Tandem's WSGI stack as a gunicorn worker does (`bench.request_cost.tandem_parts`, over
`examples/matrix.yml`), with the Slack Web API stand-in in a process of its own
(`bench.standin_process`), and runs Bolt's lazy listeners inline on the request's thread, so
one thread does all of a request's work: the acknowledgement, then the handoff written or
stepped, its posts and their marks. Sends `--requests` signed `/handoff`s, then presses
Acknowledge on each handoff they opened, then Take it, one request at a time, and prints per
request the CPU time of that thread and the statements and transactions (SQLAlchemy
`before_cursor_execute` and `begin` events; each transaction is also a pool checkout with a
pre-ping), before the acknowledgement and after it. Sequential and single-threaded, so it
shows what each request costs, not how requests queue (`bench.http_load` does that).
Prints a table; always exits 0.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from pathlib import Path

from bench.common import table
from bench.databases import add_postgres_argument, bench_database
from bench.request_cost import environ_of, tandem_parts
from bench.standin_process import StandInProcess

CHANNEL = "C0SHARED01"
REQUESTERS = ("U0ALICE01", "U0BEN0001")  # the client side: their handoffs go to the provider
ACKNOWLEDGER, TAKER = "U0PRIYA01", "U0SAM0001"


class Counts:
    """Statements and transactions so far, and what they were when the acknowledgement was made."""

    def __init__(self) -> None:
        self.statements = self.transactions = 0
        self.acked = (0, 0)

    def ack(self) -> None:
        self.acked = (self.statements, self.transactions)


class Inline(Executor):
    """Runs a lazy listener at once on the request's thread, after noting the counts at the
    acknowledgement (`InboxRunner.start` submits the work just before Bolt answers)."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.counts.ack()
        done: Future = Future()
        done.set_result(fn(*args, **kwargs))
        return done


def raw(body: bytes, headers: dict[str, str]) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    )


def measure(args: argparse.Namespace) -> list[list[object]]:
    from sqlalchemy import event

    from tests.support import slack_requests as sr
    from tests.support.slack_requests import SIGNING_SECRET

    standin = StandInProcess()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="tandem-write-cost-") as tmp,
            bench_database(args.postgres, Path(tmp)) as url,
        ):
            os.environ.update(
                {
                    "SLACK_API_URL": standin.base_url,
                    "SLACK_BOT_TOKEN": "xoxb-bench",
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "TANDEM_TICK_SECONDS": "0",
                }
            )
            stack, app, container = tandem_parts(url)
            counts = Counts()
            app.listener_runner.lazy_listener_runner.executor = Inline(counts)

            def statement(*_args) -> None:
                counts.statements += 1

            def began(*_args) -> None:
                counts.transactions += 1

            event.listen(container.db.engine, "before_cursor_execute", statement)
            event.listen(container.db.engine, "begin", began)
            statuses: dict[str, int] = {}

            def start_response(status: str, _headers: list, _exc: object = None) -> None:
                statuses[status] = statuses.get(status, 0) + 1

            def call(request: bytes) -> bytes:
                environ = environ_of(request)
                environ["wsgi.input"] = io.BytesIO(environ.pop("body"))
                answered: Iterable[bytes] = stack(environ, start_response)
                return b"".join(answered)

            def handoff(i: int) -> bytes:
                text = f"backups restore test {i} failed overnight, please look"
                response_url = f"{standin.root_url}/_responses/bench"
                return raw(
                    *sr.slash_command(
                        "/handoff", text, user_id=REQUESTERS[i % 2], channel_id=CHANNEL, response_url=response_url
                    )
                )

            for i in range(30):  # warm: the matrix, the statement caches, the pool
                call(handoff(i))
            before = len(standin.calls())
            rows = [run("/handoff", [handoff(1000 + i) for i in range(args.requests)], call, counts)]
            roots = [c for c in standin.calls("chat.postMessage")[before:] if not c["body"].get("thread_ts")]
            for label, action, user, version in (
                ("Acknowledge", "handoff_acknowledge", ACKNOWLEDGER, 1),
                ("Take it", "handoff_take", TAKER, 2),
            ):
                rows.append(run(label, [press(root, action, user, version, standin) for root in roots], call, counts))
            print(f"answered: {statuses}")
            return rows
    finally:
        standin.stop()


def press(root: dict, action: str, user: str, version: int, standin: StandInProcess) -> bytes:
    """A click on `root`'s button, as Slack sends it, on the version that root showed then."""
    from tests.support import slack_requests as sr

    blocks = root["body"]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    number = int(json.dumps(blocks).split("Handoff #")[1].split(" ")[0])
    ts = root["reply"]["ts"]
    message = {"type": "message", "bot_id": sr.BOT_ID, "user": sr.BOT_USER_ID, "ts": ts, "text": "", "blocks": blocks}
    request = sr.block_actions(
        action,
        f"{number}:{version}",
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=f"{standin.root_url}/_responses/press",
        message=message,
    )
    return raw(*request)


def run(label: str, requests: list[bytes], call: Callable[[bytes], bytes], counts: Counts) -> list[object]:
    """One row: CPU per request, and statements and transactions per request before and after the acknowledgement."""
    statements = transactions = acked_statements = acked_transactions = 0
    started = time.thread_time()
    for request in requests:
        counts.statements = counts.transactions = 0
        counts.acked = (0, 0)
        call(request)
        statements += counts.statements
        transactions += counts.transactions
        acked_statements += counts.acked[0]
        acked_transactions += counts.acked[1]
    n = len(requests)
    cpu = (time.thread_time() - started) / n * 1000
    ack = f"{acked_statements / n:.1f} / {acked_transactions / n:.1f}"
    after = f"{(statements - acked_statements) / n:.1f} / {(transactions - acked_transactions) / n:.1f}"
    return [label, n, f"{cpu:.2f}", ack, after]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.write_cost", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--requests", type=int, default=200, help="/handoffs sent, and presses of each button (default 200)"
    )
    add_postgres_argument(parser)
    args = parser.parse_args(argv)
    print(
        f"{args.requests} requests each, in process, sequential, lazy work inline; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    header = ["request", "n", "CPU ms/request", "before the ack: statements / transactions", "after it"]
    print(table(measure(args), header))
    return 0


if __name__ == "__main__":
    sys.exit(main())
