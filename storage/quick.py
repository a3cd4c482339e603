"""Read-only commands without an ORM session: one query on a pooled driver cursor.

`/owner` and the other commands that only read need to know which organisation a request
belongs to and whether what this process holds in memory for it is still current. One
indexed query answers both: the organisation (by channel, else by the asker, else the only
one, within what the installation's workspace may reach) with its `matrix_version`,
`leave_version`, `signoff_version`, handoff version and review version, which every import,
every leave or cover write, every matrix change set or confirmation, every handoff opened or
stepped, every overflow request held or decided and every review completed or scheduled
moves on in its own transaction. The matrix is cached on the first version
(`bot.services.matrices.MatrixCache`), current leave, the change sets, what `/tandem sla`
and `status` list of the open handoffs (and of the overflow requests waiting for approval)
and what `/tandem reviews` reads here on the others, so an import, a `/tandem cover`, a
Confirm, a handoff, a held request or a `/tandem done` by any process is seen by the very
next request, with no time-based staleness. The same query serves units that write
(`Store.locate`), through their session.

A serving process keeps what that query found, by channel, asker and workspace, while
nothing has changed (`_stamp`): on PostgreSQL for as long as the database has told it of no
change (`storage.replicas`), since a round trip to the server cost more than the rest of the
answer; on SQLite while its connection's `data_version` stands still. An OAuth
installation's request is always read, since its token's expiry moves with the clock.

Through the ORM session this cost ~0.5 ms of CPU per request; through a driver cursor it
is a few tens of microseconds. Each serving thread keeps its own driver connection for it,
outside the pool, in autocommit (every read sees what was committed before it, and there
is no transaction to end); a connection that fails is dropped and the read tried once more
on a new one.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.contract.approval import OverflowRequest
from bot.contract.hours import HoursEntry
from bot.contract.signoff import ChangeSet
from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import Handoff
from bot.ownership.cover import LeavePeriod
from bot.ports import Through
from storage import approval_repo, handoff_repo, hours_repo, matrix_repo, schedule_repo, signoff_repo
from storage import models as orm
from storage.db import Database
from storage.replicas import Listener

T = TypeVar("T")
V = TypeVar("V")
LOCATED, HOURS = "located", "hours"  # what `_kept` keeps: `locate`'s finds, each organisation's hours version
# An organisation a workspace's request may belong to: one bound to that team, or one bound
# to no team at all (a matrix that names no workspace serves whichever installation asks).
_IN_TEAM = (
    "(CAST(:team AS VARCHAR(32)) IS NULL"
    " OR EXISTS (SELECT 1 FROM organisation_teams t WHERE t.organisation_id = o.id AND t.team = :team)"
    " OR NOT EXISTS (SELECT 1 FROM organisation_teams t WHERE t.organisation_id = o.id))"
)
# rank 1: the channel's organisation; 2: each of the asker's; 3: the first two at all
_VERSIONS = (
    "o.key, o.id, o.matrix_version, o.leave_version, o.signoff_version, "
    "COALESCE((SELECT v.version FROM handoff_versions v WHERE v.organisation_id = o.id), 0), "
    "COALESCE((SELECT r.version FROM review_versions r WHERE r.organisation_id = o.id), 0)"
)
LOCATE_SQL = (
    f"SELECT {_VERSIONS}, 1 FROM organisations o WHERE o.channel = :channel "
    "UNION ALL "
    f"SELECT DISTINCT {_VERSIONS}, 2 FROM organisations o "
    f"JOIN people p ON p.organisation_id = o.id WHERE p.slack_id = :user AND {_IN_TEAM} "
    "UNION ALL "
    f"SELECT * FROM (SELECT {_VERSIONS}, 3 FROM organisations o "
    f"WHERE {_IN_TEAM} ORDER BY o.id LIMIT 2) AS first_two"
)
HELD = 10_000  # finds `_kept` keeps of one kind (e.g. channel, asker, workspace) before starting afresh
URGENT = 25  # the most urgent handoffs `/tandem sla` lists (`bot.services.handoffs.sla_overview`)
# Most requests come from an organisation's shared channel: its row alone settles them.
CHANNEL_SQL = f"SELECT {_VERSIONS}, 1 FROM organisations o WHERE o.channel = :channel"
# Through an OAuth installation (`bot.ports.Through`), a request is located only while the newest
# bot of that installation (the one Bolt's `find_bot` takes; an uninstall deletes it) is there
# with a token that needs no refresh: in the same query, so another process's uninstall is seen.
_INSTALLED = (
    "COALESCE((SELECT CASE WHEN b.bot_refresh_token IS NULL OR b.bot_token_expires_at IS NULL"
    " OR b.bot_token_expires_at > :fresh_until THEN 1 ELSE 0 END FROM slack_bots b"
    " WHERE b.client_id = :client_id AND COALESCE(b.enterprise_id, '') = :bot_enterprise"
    " AND COALESCE(b.team_id, '') = :bot_team AND b.bot_token IS NOT NULL"
    " ORDER BY b.installed_at DESC LIMIT 1), 0) = 1"
)
_LEAVE_ENDING_AFTER = (
    select(orm.Leave.id, orm.Leave.person, orm.Leave.starts_at, orm.Leave.ends_at, orm.Leave.cover)
    .where(orm.Leave.organisation_id == bindparam("org_id"), orm.Leave.ends_at > bindparam("after"))
    .order_by(orm.Leave.created_at, orm.Leave.id)
)


@dataclass(frozen=True)
class Located:
    """The organisation a request belongs to, and the versions of what answers read from it."""

    key: str
    org_id: int
    matrix_version: int
    leave_version: int
    signoff_version: int
    handoff_version: int = 0
    review_version: int = 0

    @property
    def versions(self) -> tuple[int, int, int]:
        """What answers about the matrix and duty depend on (not the handoffs)."""
        return self.matrix_version, self.leave_version, self.signoff_version


def pick(rows: Sequence[Sequence]) -> Located | None:
    """From `LOCATE_SQL`'s rows: the channel's organisation, else the asker's if they are in
    exactly one, else the only organisation there is."""
    for rank in (1, 2, 3):
        found = {row[1]: row for row in rows if row[7] == rank}
        if len(found) == 1 or (rank == 1 and found):
            return Located(*next(iter(found.values()))[:7])
    return None


@dataclass(frozen=True)
class _Leave:
    version: int
    after: datetime  # holds every booking that ends after this instant
    periods: tuple[LeavePeriod, ...]


@dataclass(frozen=True)
class _ChangeSets:
    version: int
    changes: tuple[ChangeSet, ...]


@dataclass(frozen=True)
class _Reviews:
    """What `/tandem reviews` reads, while the review version holds."""

    version: int
    completions: dict[str, frozenset[datetime]]
    starts: dict[tuple[str, str], datetime]


@dataclass(frozen=True)
class _OpenListing:
    """The open handoffs a listing's side and person filter leaves, as `/tandem sla` needs them."""

    total: int
    due: tuple[datetime, ...]  # each dated one's due instant, soonest first: the breached at any instant
    urgent: tuple[Handoff, ...]  # the most urgent, as `handoff_repo.most_urgent` lists them


@dataclass
class _Handoffs:
    """What this process read of an organisation's handoffs, while (matrix, handoff) versions hold:
    an import reschedules open handoffs' due instants and moves only the matrix version."""

    versions: tuple[int, int]
    listings: dict[tuple[str | None, str | None, int], _OpenListing] = field(default_factory=dict)
    one: dict[int, Handoff | None] = field(default_factory=dict)
    mine: dict[tuple[str, int], tuple[Handoff, ...]] = field(default_factory=dict)  # App Home's, by (viewer, limit)
    pending: tuple[OverflowRequest, ...] | None = None  # overflow held for approval (holding or deciding moves it on)


class QuickReads:
    """The process's cursor-level reads and its copy of each organisation's current leave
    and matrix change sets."""

    def __init__(self, db: Database) -> None:
        self.db = db
        engine = self.engine = db.engine
        queries = [LOCATE_SQL, CHANNEL_SQL] + [
            f"SELECT * FROM ({q}) AS found WHERE {_INSTALLED}" for q in (LOCATE_SQL, CHANNEL_SQL)
        ]
        if engine.dialect.paramstyle == "pyformat":  # psycopg: %(name)s
            queries = [re.sub(r":(\w+)", r"%(\1)s", q) for q in queries]
        self._locate_sql, self._channel_sql, self._locate_installed_sql, self._channel_installed_sql = queries
        self._sqlite = engine.dialect.name == "sqlite"
        self._leave: dict[int, _Leave] = {}
        self._changes: dict[int, _ChangeSets] = {}
        self._handoffs: dict[int, _Handoffs] = {}
        self._reviews: dict[int, _Reviews] = {}
        self._lock = threading.Lock()
        # what `locate` found, by (channel, user, team), and each organisation's hours version,
        # each with the stamp it is of (`_stamp`): on PostgreSQL shared by the process's threads,
        # on SQLite each thread's own (its connection's data_version is its own count)
        self._held: dict[str, dict[Any, tuple[int, Any]]] = {LOCATED: {}, HOURS: {}}
        self._own_held = threading.local()

    @property
    def listener(self) -> Listener | None:
        return self.db.listener

    def _sql(self) -> Connection:
        return self.db.own_connection()

    def _connection(self) -> Any:
        """The driver connection under `_sql()`, for the locating query's plain cursor."""
        return self._sql().connection.dbapi_connection

    def _drop(self) -> None:
        self.db.drop_own_connection()

    def _rows(self, queries: tuple[str, str], params: dict) -> list:
        """The (channel, locate) `queries`' rows: only the first rank's when the channel's
        organisation settles it (half the work of the whole query: every branch of it is
        planned and run), else the whole query's."""
        channel_sql, locate_sql = queries
        cursor = self._connection().cursor()
        try:
            if params["channel"]:
                cursor.execute(channel_sql, params)
                rows = cursor.fetchall()
                if rows:
                    return rows
            cursor.execute(locate_sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def locate(
        self, channel: str | None, user: str | None, team: str | None = None, through: Through | None = None
    ) -> Located | None:
        params: dict[str, Any] = {"channel": channel, "user": user, "team": team or None}
        key = (channel, user, team or None)
        return self._kept(LOCATED, key, lambda: self._locate(params, through), keep=through is None)

    def _kept(self, name: str, key: Any, read: Callable[[], V], keep: bool = True) -> V:
        """`read()`, or what it gave before while the database has changed nothing since
        (`_stamp`); without a stamp, or not `keep`, always `read()`."""
        stamp = self._stamp() if keep else None
        if stamp is None:
            return read()
        held = self._held[name] if self.listener is not None else self._thread_held(name)
        entry = held.get(key)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        value = read()
        if self._stamp() == stamp:  # nothing changed while it was read
            if len(held) >= HELD:
                held.clear()
            held[key] = (stamp, value)
        return value

    def _stamp(self) -> int | None:
        """What a kept read must be of to be current, or None (read it). On PostgreSQL the
        listener's generation (`storage.replicas`). On SQLite this thread's connection's
        `PRAGMA data_version`, which moves whenever any other connection, of this process or
        another, commits: that connection never writes, so an unchanged number means nothing
        was committed since, at the cost of reading one number from the shared WAL index."""
        if self.listener is not None:
            return self.listener.generation()
        if not self._sqlite:
            return None
        try:
            return self._connection().execute("PRAGMA data_version").fetchone()[0]
        except self.engine.dialect.loaded_dbapi.Error:
            self._drop()
            return None

    def _thread_held(self, name: str) -> dict[Any, tuple[int, Any]]:
        held: dict[str, dict[Any, tuple[int, Any]]] | None = getattr(self._own_held, "held", None)
        if held is None:
            held = self._own_held.held = {LOCATED: {}, HOURS: {}}
        return held[name]

    def _locate(self, params: dict[str, Any], through: Through | None) -> Located | None:
        queries = (self._channel_sql, self._locate_sql)
        if through is not None:  # as the installation store keeps them: '' for none, naive UTC
            queries = (self._channel_installed_sql, self._locate_installed_sql)
            fresh_until = through.fresh_until.strftime("%Y-%m-%d %H:%M:%S.%f") if self._sqlite else through.fresh_until
            params.update(client_id=through.client_id, bot_enterprise=through.enterprise or "")
            params.update(bot_team=through.team or "", fresh_until=fresh_until)
        error_class = self.engine.dialect.loaded_dbapi.Error
        try:
            return self._twice(lambda: pick(self._rows(queries, params)), error_class)
        except error_class as error:
            raise DBAPIError.instance(self._locate_sql, params, error, error_class) from error

    def _twice(self, read: Callable[[], T], errors: type[Exception]) -> T:
        """`read()`, tried once more on a new connection if this thread's failed (the server went
        away, or the file did)."""
        try:
            return read()
        except errors:
            self._drop()
        try:
            return read()
        except errors:
            self._drop()
            raise

    def _leave_from(self, found: Located, start: datetime) -> _Leave:
        """Every booking ending after `start`, from memory while `found.leave_version` is the one loaded."""
        held = self._leave.get(found.org_id)
        if held is None or held.version != found.leave_version or start < held.after:
            with self.engine.connect() as connection:
                rows = connection.execute(_LEAVE_ENDING_AFTER, {"org_id": found.org_id, "after": start}).all()
            held = _Leave(found.leave_version, start, tuple(LeavePeriod(p, s, e, c, i) for i, p, s, e, c in rows))
            with self._lock:
                self._leave[found.org_id] = held
        return held

    def leave_at(self, found: Located, at: datetime) -> list[LeavePeriod]:
        """Leave in force at `at`."""
        return [p for p in self._leave_from(found, at).periods if p.starts_at <= at < p.ends_at]

    def leave_overlapping(self, found: Located, start: datetime, end: datetime | None) -> list[LeavePeriod]:
        """Bookings that overlap [start, end) (no end: everything not over by `start`), by start,
        as `storage.leave_repo.overlapping` reads them."""
        periods = [
            p
            for p in self._leave_from(found, start).periods
            if p.ends_at > start and (end is None or p.starts_at < end)
        ]
        return sorted(periods, key=lambda p: (p.starts_at, p.id or 0))

    def change_sets(self, found: Located) -> list[ChangeSet]:
        """The organisation's change sets, from memory while `found.signoff_version` is the one loaded."""
        held = self._changes.get(found.org_id)
        if held is None or held.version != found.signoff_version:
            with self.engine.connect() as connection:
                changes = signoff_repo.all_of(connection, found.org_id, found.key)
            held = _ChangeSets(found.signoff_version, tuple(changes))
            with self._lock:
                self._changes[found.org_id] = held
        return list(held.changes)

    def _reviews_of(self, found: Located) -> _Reviews:
        held = self._reviews.get(found.org_id)
        if held is None or held.version != found.review_version:
            with Session(self.engine) as session:
                done = schedule_repo.all_completions(session, found.org_id)
                starts = schedule_repo.timer_starts(session, found.org_id)
            held = _Reviews(found.review_version, done, starts)
            with self._lock:
                self._reviews[found.org_id] = held
        return held

    def all_completions(self, found: Located) -> dict[str, frozenset[datetime]]:
        """Each review's completed cycles, from memory while `found.review_version` is the one read."""
        return dict(self._reviews_of(found).completions)

    def timer_starts(self, found: Located) -> dict[tuple[str, str], datetime]:
        """When each review and digest was first scheduled, from memory likewise."""
        return dict(self._reviews_of(found).starts)

    def _handoffs_of(self, found: Located) -> _Handoffs:
        versions = (found.matrix_version, found.handoff_version)
        held = self._handoffs.get(found.org_id)
        if held is None or held.versions != versions:
            held = _Handoffs(versions)
            with self._lock:
                self._handoffs[found.org_id] = held
        return held

    def _listing(self, found: Located, only: HandoffFilter | None, limit: int) -> _OpenListing:
        held = self._handoffs_of(found)
        side, person = (only.side, only.person) if only else (None, None)
        listing = held.listings.get((side, person, limit))
        if listing is None:
            kept = HandoffFilter(side, person) if side or person else None

            def read(sql: Connection) -> _OpenListing:
                total, _ = handoff_repo.count_open(sql, found.org_id, datetime.min.replace(tzinfo=UTC), kept)
                due = tuple(handoff_repo.open_due_instants(sql, found.org_id, kept))
                return _OpenListing(
                    total, due, tuple(handoff_repo.most_urgent(sql, found.org_id, found.key, limit, kept))
                )

            listing = self._now(read)
            with self._lock:
                held.listings[(side, person, limit)] = listing
        return listing

    def count_open(self, found: Located, now: datetime, only: HandoffFilter | None) -> tuple[int, int]:
        """(open, breached), as `handoff_repo.count_open` counts them, at exactly `now`."""
        listing = self._listing(found, only, URGENT)
        if only is None or only.breached_at is None:
            return listing.total, bisect_left(listing.due, now)
        return bisect_left(listing.due, only.breached_at), bisect_left(listing.due, min(now, only.breached_at))

    def next_due(self, found: Located, now: datetime, only: HandoffFilter | None) -> datetime | None:
        """The soonest due instant at or after `now` of the listing `only` narrows to (its
        `breached_at` aside): the breached count moves on just after it."""
        due = self._listing(found, only, URGENT).due
        at = bisect_left(due, now)
        return due[at] if at < len(due) else None

    def most_urgent(self, found: Located, limit: int, only: HandoffFilter | None) -> list[Handoff]:
        """As `handoff_repo.most_urgent` lists them; breached ones come first, so a listing of
        only those is the dated head of the whole one."""
        listing = self._listing(found, only, max(limit, URGENT))
        if only is None or only.breached_at is None:
            return list(listing.urgent[:limit])
        return list(listing.urgent[: min(limit, bisect_left(listing.due, only.breached_at))])

    def _now(self, read: Callable[[Connection], T]) -> T:
        """`read` on this thread's connection, as committed now: no session, pool checkout or
        transaction; tried once more on a new connection if this one failed."""
        return self._twice(lambda: read(self._sql()), DBAPIError)

    def handoff_now(self, org_id: int, org_key: str, number: int) -> Handoff | None:
        """One handoff as committed now (a scheduler tick reads one before each post)."""
        return self._now(lambda sql: handoff_repo.get(sql, org_id, org_key, number))

    def matrix_version(self, org_key: str) -> int | None:
        """The organisation's matrix version as committed now (every post checks its matrix)."""
        return self._now(lambda sql: matrix_repo.matrix_version(sql, org_key))

    def hours_version(self, found: Located) -> int:
        """The organisation's hours version as committed now (kept while the listener is told of
        no change): only `/tandem hours` needs it, so it is not in the query every request sends."""
        return self._kept(HOURS, found.org_id, lambda: self._now(lambda sql: hours_repo.version(sql, found.org_id)))

    def hours_logged(self, org_id: int, start: datetime | None, end: datetime | None) -> list[HoursEntry]:
        """Hours entries logged in [start, end), as committed now."""
        return self._now(lambda sql: hours_repo.logged(sql, org_id, start, end))

    def organisations_of(self, user: str) -> list[str]:
        """The organisations whose matrix lists `user`, as committed now (App Home asks first)."""
        return self._now(lambda sql: matrix_repo.organisations_of(sql, user))

    def involving_now(self, org_id: int, org_key: str, user: str, limit: int) -> list[Handoff]:
        """The open handoffs assigned to or opened by `user`, as committed now."""
        return self._now(lambda sql: handoff_repo.involving(sql, org_id, org_key, user, limit))

    def involving(self, found: Located, user: str, limit: int) -> list[Handoff]:
        """The same, from memory while (matrix, handoff) versions hold: App Home reads them each
        time it is opened, and every handoff opened or stepped moves the version on."""
        held = self._handoffs_of(found)
        mine = held.mine.get((user, limit))
        if mine is None:
            mine = tuple(self.involving_now(found.org_id, found.key, user, limit))
            with self._lock:
                held.mine[(user, limit)] = mine
        return list(mine)

    def handoff(self, found: Located, number: int) -> Handoff | None:
        held = self._handoffs_of(found)
        if number not in held.one:
            handoff = self.handoff_now(found.org_id, found.key, number)
            with self._lock:
                held.one[number] = handoff
        return held.one[number]

    def pending_requests(self, found: Located) -> list[OverflowRequest]:
        """The overflow requests waiting for approval, from memory while (matrix, handoff)
        versions hold: a request held or decided moves the handoff version on."""
        held = self._handoffs_of(found)
        pending = held.pending
        if pending is None:
            pending = tuple(self._now(lambda sql: approval_repo.pending(sql, found.org_id, found.key)))
            with self._lock:
                held.pending = pending
        return list(pending)
