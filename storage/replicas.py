"""What each replica on PostgreSQL holds in memory, kept exact by the database telling it.

Reading a request's organisation and versions (`storage.quick`) is one round trip to the
server, and on PostgreSQL that round trip cost more than the rest of a read-only answer. So
a serving process keeps what that query found, and is told when to forget it, by
migration 0036's triggers and leases (its docstring has the protocol):
* `Listener` (one per serving process, a thread and a connection of its own) listens on
  `tandem_versions`. Any change to a table the query reads moves `generation` on, so
  everything held is forgotten; it acknowledges the writers' marks in its lease, renewed
  every `RENEW` seconds. Memory answers only while `generation()` says so: listening, and
  `MARGIN` short of its lease running out unrenewed.
* `settle` is the writer's side: after its transaction committed, before it tells anyone,
  it notifies a mark and waits until every live lease has seen it. So the next request
  anywhere, after Slack's acknowledgement or the command line's answer, reads the change.

A process that has lost its connection, or is too busy to renew, reads the database on
every request until it listens again: slower, never stale. A writer waits for a dead
process at most one `LEASE`.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

CHANNEL = "tandem_versions"
LEASE = 1.0  # seconds a lease runs unrenewed: the longest a writer waits for a process that died
RENEW = 0.25  # seconds between renewals while nothing changes
MARGIN = 0.2  # memory stops answering this long before its lease would run out
RETRY = 0.5  # seconds between attempts to listen again after a failure
PROBE = 2.0  # seconds a listener waits to hear its own first notification
GIVE_UP = LEASE + 2.0  # a writer waiting longer than any lease can live says so and goes on

# the mark a lease starts from: every mark taken before it registered (last_value, unless
# the sequence has never been called)
_REGISTER = (
    "INSERT INTO replica_leases (id, acked, expires_at) "
    "SELECT %(id)s, CASE WHEN is_called THEN last_value ELSE last_value - 1 END, "
    "clock_timestamp() + make_interval(secs => %(lease)s) FROM version_marks"
)
_RENEW = (
    "UPDATE replica_leases SET acked = GREATEST(acked, %(acked)s), "
    "expires_at = clock_timestamp() + make_interval(secs => %(lease)s) "
    "WHERE id = %(id)s AND expires_at > clock_timestamp()"
)
_FORGET = "DELETE FROM replica_leases WHERE id = %(id)s OR expires_at < clock_timestamp() - interval '1 minute'"
MARK_SQL = (
    f"SELECT m, pg_notify('{CHANNEL}', m::text), EXISTS (SELECT 1 FROM replica_leases"
    " WHERE expires_at > clock_timestamp() AND id <> %(skip)s) FROM nextval('version_marks') AS m"
)
LAGGING_SQL = (
    "SELECT EXISTS (SELECT 1 FROM replica_leases"
    " WHERE acked < %(mark)s AND expires_at > clock_timestamp() AND id <> %(skip)s)"
)


def settle(
    cursor: Any,
    skip: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Notify a mark on `cursor` (autocommit, after the writer's commit) and wait until every
    process holding a live lease has seen it, but for lease `skip`: the writer's own process,
    which forgot on its own (`Listener.forget_here`). False if one still had not after `GIVE_UP`."""
    cursor.execute(MARK_SQL, {"skip": skip or ""})
    mark, _, listened = cursor.fetchone()
    if not listened:
        return True
    delay, give_up = 0.0005, clock() + GIVE_UP
    while True:
        cursor.execute(LAGGING_SQL, {"mark": mark, "skip": skip or ""})
        if not cursor.fetchone()[0]:
            return True
        if clock() > give_up:
            log.warning("a replica has not seen a change after %.0f s; going on without it", GIVE_UP)
            return False
        sleep(delay)
        delay = min(delay * 2, 0.005)


class NotHeard(RuntimeError):
    """LISTEN on this connection hears nothing."""


class Listener:
    """One process's ear on `tandem_versions`; `connect()` gives a new autocommit psycopg connection."""

    def __init__(self, connect: Callable[[], Any], clock: Callable[[], float] = time.monotonic) -> None:
        self._connect = connect
        self._clock = clock
        self._generation = 0
        self._fence = 0.0  # on `clock`: memory may answer until then
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lease_id: str | None = None

    def generation(self) -> int | None:
        """The generation what memory holds must be of, or None: read the database (not
        listening yet or any more, or the lease may be running out)."""
        if self._pid != os.getpid():
            self._start()
            return None
        if self._clock() >= self._fence:
            return None
        return self._generation

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a fork starts listening afresh, holding nothing of its parent's
            self._fence = 0.0
            self._generation += 1
            self._thread = threading.Thread(target=self._run, name="tandem-versions", daemon=True)
            self._thread.start()
            atexit.register(self.stop)  # a worker that exits gives its lease back: no writer waits for it

    def stop(self) -> None:
        """Stop listening and give the lease back (within one `RENEW`)."""
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(RENEW + 1.0)

    def forget_here(self) -> str | None:
        """A change this process committed: forget at once, without waiting to be told, and
        return the lease a writer here need not wait for (None: there is none yet)."""
        self._forget()
        return self.lease_id

    def _forget(self) -> None:
        with self._lock:
            self._generation += 1

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # noqa: BLE001  (whatever it was, answers read the database until it listens again)
                self._fence = 0.0
                if not failing:
                    log.warning("not told of changes (answers read the database meanwhile): %s", error)
                failing = True
                self._stop.wait(60 * RETRY if isinstance(error, NotHeard) else RETRY)
            else:
                return

    def _hears(self, connection: Any) -> None:
        """Raise unless a notification reaches this connection: through a pooler that hands each
        transaction a different server connection (PgBouncer's transaction mode), LISTEN hears
        nothing, and memory would never be told to forget."""
        probe = f"probe {uuid.uuid4()}"
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, probe))
        give_up = self._clock() + PROBE
        while self._clock() < give_up:
            if any(n.payload == probe for n in connection.notifies(timeout=give_up - self._clock(), stop_after=1)):
                return
        raise NotHeard(
            f"a notification sent on {CHANNEL} did not come back within {PROBE:.0f} s; a pooler in "
            "transaction mode passes no LISTEN: connect replicas to PostgreSQL directly or in session mode"
        )

    def _listen(self) -> None:
        connection = self._connect()
        try:
            connection.execute(f"LISTEN {CHANNEL}")
            self._forget()  # whatever was kept while not listening
            self._hears(connection)
            old, self.lease_id = self.lease_id, str(uuid.uuid4())
            sent = self._clock()
            connection.execute(_FORGET, {"id": old or ""})
            connection.execute(_REGISTER, {"id": self.lease_id, "lease": LEASE})
            self._fence = sent + LEASE - MARGIN
            acked = 0
            while not self._stop.is_set():
                seen = list(connection.notifies(timeout=RENEW, stop_after=1))
                if seen:
                    seen += connection.notifies(timeout=0)
                if any(not n.payload for n in seen):
                    self._forget()  # a change: before acknowledging any mark that followed it
                marks = [int(n.payload) for n in seen if n.payload.isdigit()]  # not another's probe
                acked = max([acked, *marks])
                sent = self._clock()
                renewed = connection.execute(_RENEW, {"id": self.lease_id, "acked": acked, "lease": LEASE})
                if renewed.rowcount != 1:  # a writer may have gone on without this process: start afresh
                    raise RuntimeError("this process's lease ran out before it was renewed")
                self._fence = sent + LEASE - MARGIN
            connection.execute(_FORGET, {"id": self.lease_id})
        finally:
            self._fence = 0.0
            connection.close()
