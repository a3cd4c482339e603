"""A request's claim and its inbox record, before its acknowledgement: one round trip on PostgreSQL.

Every signed command, click and submission, and every event whose listener works lazily, is
claimed and recorded in one transaction before Slack hears "done" (`handlers.inbox`). That is
the only database work an acknowledgement waits for, so it is what sets how long a `/handoff`
takes to be answered while other requests' work runs beside it. Through a unit of work it
was a pool checkout with its pre-ping and five statements (begin, lock timeout, claim,
record, commit), each a round trip that then waited for the interpreter again behind the
threads doing other requests' work.

On PostgreSQL it is one statement, sent with its transaction and lock timeout in a single
pipeline on the serving thread's own connection (`Database.own_connection`): the claim
inserts the key, or takes over an event's claim abandoned past its lease (as
`Store.claim_event` does; a request's claim is finished when made and is never taken over),
and the record is inserted only if the claim was won. Synchronous commit stays on: a request
acknowledged is a request kept. On SQLite, where a write is no round trip, it is a unit of
work as before.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.inbox import InboxItem
from storage.db import Database

# The claim (kind "event" leased, kind "request" finished at once), then the record if it was
# won: PostgreSQL runs every data-modifying WITH once, whether or not the query reads it.
RECORD_FIRST_SQL = (
    "WITH claimed AS ("
    "INSERT INTO processed_events (event_id, claimed_at, done_at) VALUES (%(claim)s, %(now)s, %(claim_done)s) "
    "ON CONFLICT (event_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at "
    "WHERE processed_events.done_at IS NULL AND processed_events.claimed_at < %(abandoned)s RETURNING 1), "
    "recorded AS ("
    "INSERT INTO inbox (key, kind, team, work, payload, state, attempts, received_at, lease_until) "
    "SELECT %(key)s, %(kind)s, %(team)s, %(work)s, CAST(%(payload)s AS JSON), 'pending', %(attempts)s, "
    "%(now)s, %(lease_until)s WHERE EXISTS (SELECT 1 FROM claimed) "
    "ON CONFLICT (key) DO NOTHING RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM claimed)"
)


def record_first_postgresql(
    db: Database,
    item: InboxItem,
    claim: tuple[str, str],
    now: datetime,
    claim_lease: timedelta,
    lease: timedelta,
    timeout: float | None,
) -> bool:
    """`RECORD_FIRST_SQL` in one pipeline (`Units.record_first`); tried once more on a new
    connection if this thread's was lost (the server restarted). Any other failure (the lock
    timeout) is raised, the connection closed behind it."""
    import psycopg

    kind, key = claim
    params = {
        "claim": key,
        "now": now,
        "claim_done": now if kind == "request" else None,
        "abandoned": now - claim_lease,
        "key": item.key,
        "kind": item.kind,
        "team": item.team,
        "work": item.work,
        "payload": json.dumps(item.payload),
        "attempts": item.attempts,
        "lease_until": now + lease,
    }
    attempt = 1
    while True:
        connection: Any = db.own_connection().connection.dbapi_connection  # psycopg's own
        try:
            with connection.pipeline():
                connection.execute("BEGIN")
                if timeout is not None:
                    connection.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
                won = connection.execute(RECORD_FIRST_SQL, params)
                connection.execute("COMMIT")
            row = won.fetchone()
            return bool(row and row[0])
        except psycopg.Error:
            broken = connection.broken
            db.drop_own_connection()  # closed: an aborted transaction is never left on it
            if not broken or attempt == 2:
                raise
            attempt += 1
