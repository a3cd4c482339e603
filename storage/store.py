"""The store the services talk to: one session, domain values in and out.

Services never see ORM rows or SQL; they call these methods inside one unit of work
(`Database.session()`), so a request or a job commits all of its changes or none.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.audit.chain import Head
from bot.contract.approval import OverflowRequest
from bot.contract.hours import HoursEntry
from bot.contract.signoff import ChangeSet
from bot.errors import Unwritable
from bot.evidence import AuditRecord
from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import Handoff
from bot.inbox import InboxItem, Settled, in_hand
from bot.matrix.model import Matrix
from bot.outbox import DueTimer, NewPost, OutboxItem
from bot.ownership.cover import LeavePeriod
from bot.ports import Through
from bot.reviews.cadence import Completed
from storage import (
    approval_repo,
    audit_repo,
    handoff_repo,
    hours_repo,
    inbox_repo,
    intake,
    leave_repo,
    matrix_repo,
    schedule_repo,
    signoff_repo,
)
from storage import models as orm
from storage.db import Database
from storage.problems import database_problem, refuses_writes
from storage.quick import LOCATE_SQL, Located, QuickReads, pick
from storage.sql import MOVED, insert_if_absent, rowcount

log = logging.getLogger("tandem.storage")
_LOCATE = text(LOCATE_SQL)  # built once: every Slack command runs it


class Store:
    def __init__(
        self,
        session: Session | Callable[[], Session],
        org_ids: dict[str, int] | None = None,
        quick: QuickReads | None = None,
        through: Through | None = None,
    ) -> None:
        """`session`, or what opens one when a method first needs it. `org_ids` may be shared
        between units of work: an organisation's row id never changes. `quick`: this unit
        only reads, so where the request belongs and the leave in force come from
        `storage.quick` without a session; `through`: only if that installation is there."""
        self._session = session if isinstance(session, Session) else None
        self._open = session if callable(session) else None
        self._org_ids = {} if org_ids is None else org_ids
        self._quick = quick
        self._through = through
        self._located: dict[str, Located] = {}

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self._open is not None
            self._session = self._open()
        return self._session

    # -- organisations and matrices ---------------------------------------------------
    def organisation_keys(self) -> list[str]:
        return matrix_repo.organisation_keys(self.session)

    def matrix_version(self, org_key: str) -> int | None:
        if self._quick is not None:
            return self._quick.matrix_version(org_key)
        return matrix_repo.matrix_version(self.session, org_key)

    def matrix_versions(self) -> dict[str, int]:
        return matrix_repo.matrix_versions(self.session)

    def matrix_fingerprint(self, org_key: str) -> str | None:
        return matrix_repo.matrix_fingerprint(self.session, org_key)

    def provider_teams(self) -> dict[str, tuple[str, ...]]:
        return matrix_repo.provider_teams(self.session)

    def load_matrix(self, org_key: str) -> Matrix | None:
        return matrix_repo.load_matrix(self.session, org_key)

    def serialise_imports(self) -> None:
        """Hold an import lock for this transaction, so replicas starting together import in turn."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(7301998)"))

    def save_matrix(self, matrix: Matrix, when: datetime) -> None:
        matrix_repo.save_matrix(self.session, matrix, when)

    def locate(self, channel: str | None, user: str | None, team: str | None = None) -> tuple[str, int] | None:
        """(organisation, matrix version) a Slack request belongs to: its channel's, else its
        user's, else the only one; with `team` (the installation asked), only among the
        organisations that workspace may reach. One indexed query, since this runs on every
        command."""
        if self._quick is not None:
            found = self._quick.locate(channel, user, team, self._through)
        else:
            found = pick(self.session.execute(_LOCATE, {"channel": channel, "user": user, "team": team or None}).all())
        if found is None:
            return None
        self._located[found.key] = found
        self._org_ids[found.key] = found.org_id
        return found.key, found.matrix_version

    def read_versions(self, org_key: str) -> tuple[int, ...] | None:
        found = self._located.get(org_key) if self._quick is not None else None
        return found.versions if found else None

    def read_handoff_versions(self, org_key: str) -> tuple[int, int] | None:
        found = self._located.get(org_key) if self._quick is not None else None
        return (found.matrix_version, found.handoff_version) if found else None

    def read_hours_versions(self, org_key: str) -> tuple[int, int] | None:
        found = self._located.get(org_key) if self._quick is not None else None
        return (found.matrix_version, self._quick.hours_version(found)) if self._quick and found else None

    def organisation_for(self, channel: str | None, user: str | None, team: str | None = None) -> str | None:
        found = self.locate(channel, user, team)
        return found[0] if found else None

    def organisations_of(self, user: str) -> list[str]:
        """The organisations whose matrix lists `user`, by key."""
        if self._quick is not None:
            return self._quick.organisations_of(user)
        return matrix_repo.organisations_of(self.session, user)

    def _org_id(self, org_key: str) -> int:
        if org_key not in self._org_ids:
            org_id = self.session.scalar(select(orm.Organisation.id).where(orm.Organisation.key == org_key))
            if org_id is None:
                raise LookupError(f"no organisation {org_key!r}")
            self._org_ids[org_key] = org_id
        return self._org_ids[org_key]

    # -- leave and cover --------------------------------------------------------------
    def leave_at(self, org_key: str, at: datetime) -> list[LeavePeriod]:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.leave_at(found, at)
        return leave_repo.at(self.session, self._org_id(org_key), at)

    def leave_starting(self, org_key: str, now: datetime, within: timedelta) -> list[LeavePeriod]:
        """Leave that has not started yet but starts within `within` (the digest's "today")."""
        return leave_repo.starting(self.session, self._org_id(org_key), now, within)

    def leave_overlapping(self, org_key: str, start: datetime, end: datetime | None = None) -> list[LeavePeriod]:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.leave_overlapping(found, start, end)
        return leave_repo.overlapping(self.session, self._org_id(org_key), start, end)

    def add_leave(self, org_key: str, period: LeavePeriod, created_by: str, now: datetime) -> int:
        return leave_repo.add(self.session, self._org_id(org_key), period, created_by, now)

    def end_leave(self, org_key: str, leave_id: int, at: datetime) -> None:
        leave_repo.end(self.session, self._org_id(org_key), leave_id, at)

    def cancel_leave(self, org_key: str, leave_id: int) -> None:
        leave_repo.cancel(self.session, self._org_id(org_key), leave_id)

    # -- audit ------------------------------------------------------------------------
    def audit(
        self, org_key: str, at: datetime, actor: str, kind: str, subject: str, detail: dict | None = None
    ) -> AuditRecord:
        """Append an event to the organisation's hash chain (appends take turns per organisation)."""
        return audit_repo.append(self.session, self._org_id(org_key), org_key, at, actor, kind, subject, detail or {})

    def audit_events(self, org_key: str, kind_prefix: str = "", since: datetime | None = None) -> list[AuditRecord]:
        """The organisation's events in chain order."""
        return audit_repo.events(self.session, self._org_id(org_key), org_key, kind_prefix, since)

    def audit_head(self, org_key: str) -> Head | None:
        """The chain's newest link as recorded at the last append (None before any event)."""
        return audit_repo.head(self.session, self._org_id(org_key))

    # -- hours --------------------------------------------------------------------------
    def add_hours(self, org_key: str, entry: HoursEntry) -> None:
        hours_repo.add(self.session, self._org_id(org_key), entry)

    def hours_on(self, org_key: str, handoff_id: int) -> int:
        """Minutes logged on one handoff, corrections included."""
        return hours_repo.on_handoff(self.session, self._org_id(org_key), handoff_id)

    def hours_logged(
        self, org_key: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[HoursEntry]:
        """Entries logged in [start, end), oldest first."""
        if self._quick is not None:
            return self._quick.hours_logged(self._org_id(org_key), start, end)
        return hours_repo.logged(self.session, self._org_id(org_key), start, end)

    # -- overflow held for approval ---------------------------------------------------
    def add_overflow_request(self, request: OverflowRequest) -> int:
        """Held: it moves the handoff version on, so `/tandem sla` kept by any process lists it next."""
        org_id = self._org_id(request.organisation)
        number = approval_repo.add(self.session, org_id, request)
        handoff_repo.moved_on(self.session, org_id)
        return number

    def get_overflow_request(self, org_key: str, request_id: int, lock: bool = False) -> OverflowRequest | None:
        """One held request; `lock` holds it (FOR UPDATE on PostgreSQL) so two presses decide in turn."""
        return approval_repo.get(self.session, self._org_id(org_key), org_key, request_id, lock)

    def place_overflow_request(self, request_id: int, channel: str, ts: str) -> None:
        """Where the approval message was posted."""
        approval_repo.placed(self.session, request_id, channel, ts)

    def decide_overflow_request(self, request: OverflowRequest) -> bool:
        """Compare-and-set: write the decision only if the request is still pending; a decision
        moves the handoff version on, as holding it did."""
        decided = approval_repo.decide(self.session, request)
        if decided:
            handoff_repo.moved_on(self.session, self._org_id(request.organisation))
        return decided

    def pending_overflow_requests(self, org_key: str) -> list[OverflowRequest]:
        """The requests waiting for approval, oldest first."""
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.pending_requests(found)
        return approval_repo.pending(self.session, self._org_id(org_key), org_key)

    def release_overflow_request(self, request_id: int, handoff_id: int) -> None:
        """The handoff an approved request became."""
        approval_repo.released(self.session, request_id, handoff_id)

    # -- matrix sign-off ---------------------------------------------------------------
    def add_change_set(self, change: ChangeSet) -> int:
        return signoff_repo.add(self.session, self._org_id(change.organisation), change)

    def get_change_set(self, org_key: str, change_id: int, lock: bool = False) -> ChangeSet | None:
        return signoff_repo.get(self.session, self._org_id(org_key), org_key, change_id, lock)

    def change_sets(self, org_key: str) -> list[ChangeSet]:
        """Every change to who owns what, with its confirmations, oldest first."""
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.change_sets(found)
        return signoff_repo.all_of(self.session, self._org_id(org_key), org_key)

    def confirm_change_set(self, change_id: int, side: str, by: str, at: datetime) -> bool:
        """Compare-and-set: record `side`'s confirmation only if it has none yet."""
        return signoff_repo.confirm(self.session, change_id, side, by, at)

    def place_change_set(self, change_id: int, channel: str, ts: str) -> None:
        signoff_repo.placed(self.session, change_id, channel, ts)

    def change_set_message(self, org_key: str, change_id: int, outbox_key: str) -> tuple[str, str] | None:
        """(channel, ts) of the change's Confirm message, if it was posted."""
        return signoff_repo.message(self.session, self._org_id(org_key), change_id, outbox_key)

    # -- handoffs ---------------------------------------------------------------------
    def add_handoff(self, handoff: Handoff, due_at: datetime | None = None, alert_at: datetime | None = None) -> int:
        org_id = self._org_id(handoff.organisation)
        number = handoff_repo.add(self.session, org_id, handoff, due_at, alert_at)
        handoff_repo.moved_on(self.session, org_id)
        return number

    def step_handoff(self, handoff: Handoff, due_at: datetime | None, alert_at: datetime | None) -> int | None:
        """Compare-and-set: write the step if the stored version is still `handoff.version`."""
        version = handoff_repo.step(self.session, handoff, due_at, alert_at)
        if version is not None:
            handoff_repo.moved_on(self.session, self._org_id(handoff.organisation))
        return version

    def place_handoff(self, handoff_id: int, channel: str, ts: str) -> None:
        """Where the handoff's root message landed; nothing else about the handoff changes."""
        handoff_repo.place(self.session, handoff_id, channel, ts)

    def root_of(self, org_key: str, handoff_id: int) -> tuple[Handoff, int, datetime | None] | None:
        """The handoff locked for a refresh of its root message, with the version the root
        shows and until when a refresh in flight holds it (one query)."""
        return handoff_repo.root_of(self.session, self._org_id(org_key), org_key, handoff_id)

    def sending_root(self, handoff_id: int, until: datetime) -> None:
        handoff_repo.sending_root(self.session, handoff_id, until)

    def show_root(self, handoff_id: int, version: int, current_only: bool = False) -> bool:
        return handoff_repo.show_root(self.session, handoff_id, version, current_only)

    def handoff_places(self, handoffs: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str | None, str | None]]:
        """(channel, ts) of each of these (organisation, handoff) that exists, in one query."""
        ids: dict[str, int] = {}
        for org_key in {org for org, _ in handoffs}:
            try:
                ids[org_key] = self._org_id(org_key)
            except LookupError:
                continue  # no such organisation: none of its handoffs is placed
        found = handoff_repo.places(self.session, [(ids[org], n) for org, n in handoffs if org in ids])
        return {(org, n): found[(ids[org], n)] for org, n in handoffs if (ids.get(org), n) in found}

    def reschedule_handoff(self, handoff_id: int, due_at: datetime | None, alert_at: datetime | None) -> None:
        handoff_repo.reschedule(self.session, handoff_id, due_at, alert_at)

    def last_step(self, org_key: str, handoff_id: int) -> AuditRecord | None:
        """The latest audit event of the handoff (who moved it last, and how)."""
        row = self.session.scalars(
            select(orm.AuditEvent)
            .where(
                orm.AuditEvent.organisation_id == self._org_id(org_key),
                orm.AuditEvent.subject == f"handoff #{handoff_id}",
            )
            .order_by(orm.AuditEvent.id.desc())
            .limit(1)
        ).first()
        return AuditRecord(row.at, row.actor, row.kind, row.subject, row.detail) if row else None

    def get_handoff(self, org_key: str, handoff_id: int, lock: bool = False) -> Handoff | None:
        """One handoff; `lock` holds it (FOR UPDATE on PostgreSQL) so two clicks apply in turn."""
        found = self._located.get(org_key)
        if self._quick is not None and not lock:
            if found is None:  # not a located request: read as committed now
                return self._quick.handoff_now(self._org_id(org_key), org_key, handoff_id)
            return self._quick.handoff(found, handoff_id)
        return handoff_repo.get(self.session, self._org_id(org_key), org_key, handoff_id, lock)

    def most_urgent_handoffs(self, org_key: str, limit: int, only: HandoffFilter | None = None) -> list[Handoff]:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.most_urgent(found, limit, only)
        return handoff_repo.most_urgent(self.session, self._org_id(org_key), org_key, limit, only)

    def open_handoffs_after(self, org_key: str, after_id: int, limit: int) -> list[Handoff]:
        return handoff_repo.open_after(self.session, self._org_id(org_key), org_key, after_id, limit)

    def count_open_handoffs(self, org_key: str, now: datetime, only: HandoffFilter | None = None) -> tuple[int, int]:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.count_open(found, now, only)
        return handoff_repo.count_open(self.session, self._org_id(org_key), now, only)

    def next_due_handoff(self, org_key: str, now: datetime, only: HandoffFilter | None = None) -> datetime | None:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.next_due(found, now, only)
        kept = HandoffFilter(only.side, only.person) if only else None
        due = handoff_repo.open_due_instants(self.session, self._org_id(org_key), kept)
        at = bisect_left(due, now)
        return due[at] if at < len(due) else None

    def handoffs_involving(self, org_key: str, user: str, limit: int = 20) -> list[Handoff]:
        found = self._located.get(org_key)
        if self._quick is not None:
            if found is None:  # not a located request (a provider's Home, one per client): read as committed now
                return self._quick.involving_now(self._org_id(org_key), org_key, user, limit)
            return self._quick.involving(found, user, limit)
        return handoff_repo.involving(self.session, self._org_id(org_key), org_key, user, limit)

    def open_handoff_counts(self, org_key: str, now: datetime, ages) -> tuple[dict[str, int], dict[str, int]]:
        return handoff_repo.open_counts(self.session, self._org_id(org_key), now, ages)

    def handoffs_touched_since(self, org_key: str, start: datetime) -> list[Handoff]:
        return handoff_repo.touched_since(self.session, self._org_id(org_key), org_key, start)

    def handoffs_since(self, org_key: str, start: datetime) -> list[Handoff]:
        return handoff_repo.since(self.session, self._org_id(org_key), org_key, start)

    # -- scheduler --------------------------------------------------------------------
    def due_handoff_alerts(self, now: datetime, limit: int) -> list[tuple[str, Handoff]]:
        return schedule_repo.due_handoff_alerts(self.session, now, limit)

    def set_alerts_at(self, alerts: dict[int, datetime | None]) -> None:
        schedule_repo.set_alerts_at(self.session, alerts)

    def due_timers(self, now: datetime, limit: int) -> list[DueTimer]:
        return schedule_repo.due_timers(self.session, now, limit)

    def set_timer(self, timer_id: int, next_at: datetime | None) -> None:
        schedule_repo.set_timer(self.session, timer_id, next_at)

    def replace_timers(self, org_key: str, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None:
        schedule_repo.replace_timers(self.session, self._org_id(org_key), timers, now)

    def set_timers(self, org_key: str, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None:
        """Set these timers (new ones start now), leaving the organisation's others as they are."""
        schedule_repo.set_timers(self.session, self._org_id(org_key), timers, now)

    def timer_starts(self, org_key: str) -> dict[tuple[str, str], datetime]:
        """When each review and digest was first scheduled."""
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.timer_starts(found)
        return schedule_repo.timer_starts(self.session, self._org_id(org_key))

    def timer_start(self, org_key: str, kind: str, subject: str) -> datetime | None:
        """When this one timer was first scheduled (None: it never was)."""
        return schedule_repo.timer_start(self.session, self._org_id(org_key), kind, subject)

    def enqueue(self, org_key: str, key: str, kind: str, payload: dict, now: datetime) -> bool:
        return key in self.enqueue_all([NewPost(org_key, key, kind, payload)], now)

    def enqueue_all(self, posts: list[NewPost], now: datetime) -> set[str]:
        rows = [
            (self._org_id(p.organisation) if p.organisation else None, p.key, p.kind, p.payload, p.team) for p in posts
        ]
        return schedule_repo.enqueue_all(self.session, rows, now)

    def claim_deliveries(self, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]:
        return schedule_repo.claim_deliveries(self.session, now, lease, limit)

    def mark_sent(self, key: str, channel: str | None, ts: str | None, now: datetime) -> None:
        schedule_repo.mark_sent(self.session, key, channel, ts, now)

    def mark_all_sent(self, posts: list[tuple[str, str | None, str | None]], now: datetime) -> None:
        schedule_repo.mark_all_sent(self.session, posts, now)

    def claim_keys(self, keys: list[str], now: datetime, lease: timedelta) -> list[OutboxItem]:
        return schedule_repo.claim_keys(self.session, keys, now, lease)

    def mark_failed(self, key: str, error: str, retry_at: datetime) -> None:
        schedule_repo.mark_failed(self.session, key, error, retry_at)

    def put_back(self, key: str, at: datetime, why: str) -> None:
        schedule_repo.put_back(self.session, key, at, why)

    def pause_workspace(self, team: str, until: datetime) -> None:
        schedule_repo.pause_workspace(self.session, team, until)

    def hold(self, key: str, channel: str, error: str) -> bool:
        return schedule_repo.hold(self.session, key, channel, error)

    def release(self, channel: str, org_key: str | None = None) -> list[str]:
        return schedule_repo.release(self.session, channel, self._org_id(org_key) if org_key else None)

    def posted_keys(self, org_key: str, prefix: str) -> frozenset[str]:
        return schedule_repo.posted_keys(self.session, self._org_id(org_key), prefix)

    def completions(self, org_key: str, review_key: str) -> frozenset[datetime]:
        return schedule_repo.completions(self.session, self._org_id(org_key), review_key)

    def all_completions(self, org_key: str) -> dict[str, frozenset[datetime]]:
        found = self._located.get(org_key)
        if self._quick is not None and found is not None:
            return self._quick.all_completions(found)
        return schedule_repo.all_completions(self.session, self._org_id(org_key))

    def completion(self, org_key: str, review_key: str, due_at: datetime) -> Completed | None:
        return schedule_repo.completion(self.session, self._org_id(org_key), review_key, due_at)

    def add_evidence(self, org_key: str, review_key: str, due_at: datetime, evidence: str) -> None:
        schedule_repo.add_evidence(self.session, self._org_id(org_key), review_key, due_at, evidence)

    def add_completion(
        self, org_key: str, review_key: str, due_at: datetime, done_at: datetime, done_by: str, evidence: str
    ) -> bool:
        return schedule_repo.add_completion(
            self.session, self._org_id(org_key), review_key, due_at, done_at, done_by, evidence
        )

    # -- Slack event de-duplication ---------------------------------------------------
    def claim_event(self, event_id: str, now: datetime, lease: timedelta) -> bool:
        """True if this delivery should be handled: first seen, or an abandoned claim taken over."""
        if insert_if_absent(self.session, orm.ProcessedEvent, {"event_id": event_id, "claimed_at": now}):
            return True
        taken = self.session.execute(
            update(orm.ProcessedEvent)
            .where(
                orm.ProcessedEvent.event_id == event_id,
                orm.ProcessedEvent.done_at.is_(None),
                orm.ProcessedEvent.claimed_at < now - lease,
            )
            .values(claimed_at=now)
        )
        return rowcount(taken) == 1

    def claim_request(self, key: str, now: datetime) -> bool:
        """True the first time `key` is claimed; the claim is finished at once (nothing to resume)."""
        return insert_if_absent(self.session, orm.ProcessedEvent, {"event_id": key, "claimed_at": now, "done_at": now})

    def finish_event(self, event_id: str, now: datetime) -> None:
        self.session.execute(
            update(orm.ProcessedEvent).where(orm.ProcessedEvent.event_id == event_id).values(done_at=now)
        )

    # -- requests acknowledged before their work (bot.inbox) ---------------------------
    def record_request(self, item: InboxItem, now: datetime, lease: timedelta) -> bool:
        return inbox_repo.record(self.session, item, now, lease)

    def claim_requests(self, now: datetime, lease: timedelta, limit: int) -> list[InboxItem]:
        return inbox_repo.claim(self.session, now, lease, limit)

    def next_request_lease(self) -> datetime | None:
        return inbox_repo.next_lease(self.session)

    def finish_request(self, key: str, now: datetime) -> bool:
        return inbox_repo.finish(self.session, key, now)

    def prune(self, events_before: datetime, sent_before: datetime) -> tuple[int, int]:
        """Delete handled events and requests, and sent posts, older than these instants;
        (events and requests, posts) deleted."""
        events = self.session.execute(delete(orm.ProcessedEvent).where(orm.ProcessedEvent.done_at < events_before))
        requests = self.session.execute(delete(orm.InboxRequest).where(orm.InboxRequest.done_at < events_before))
        posts = self.session.execute(
            delete(orm.Outbox).where(orm.Outbox.status == "sent", orm.Outbox.sent_at < sent_before)
        )
        return rowcount(events) + rowcount(requests), rowcount(posts)


class Units:
    """The unit of work over one database: `with units() as store:` is one transaction.

    Organisations' row ids are remembered across units (they never change), so most
    commands need no lookup for them. The first unit that writes while a Slack request is
    in hand (`bot.inbox`) finishes that request's inbox row in its own transaction.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._org_ids: dict[str, int] = {}
        self.quick = QuickReads(db)

    @contextmanager
    def __call__(
        self, read_only: bool = False, timeout: float | None = None, through: Through | None = None
    ) -> Iterator[Store]:
        """A unit that only reads opens its session only if it needs more than `storage.quick`."""
        if not read_only or timeout is not None:
            assert through is None, "an installation is checked by the locating query of storage.quick"
            work = None if read_only else in_hand.get()
            work = None if work is None or work.settled else work
            try:
                with self.db.session(read_only, timeout) as session:
                    store = Store(session, self._org_ids)
                    yield store
                    if work is not None and not store.finish_request(work.key, work.clock.now()):
                        raise Settled(work.key)
                if session.info.get(MOVED):
                    self.db.moved()
            except DBAPIError as error:
                if not refuses_writes(error, self.db.url):
                    raise
                detail = str(database_problem(error, self.db.url))
                log.error("a write failed: %s", detail)
                raise Unwritable(detail) from error
            if work is not None:
                work.settled = True
            return
        with ExitStack() as opened:
            yield Store(
                lambda: opened.enter_context(self.db.session(read_only=True)), self._org_ids, self.quick, through
            )

    def record_first(
        self,
        item: InboxItem,
        claim: tuple[str, str],
        now: datetime,
        claim_lease: timedelta,
        lease: timedelta,
        timeout: float | None,
    ) -> bool:
        """Take `claim` and record `item` in one transaction (`storage.intake`): False when the
        claim was another delivery's, and nothing was recorded."""
        if self.db.engine.dialect.name == "postgresql":
            return intake.record_first_postgresql(self.db, item, claim, now, claim_lease, lease, timeout)
        kind, key = claim
        with self(timeout=timeout) as store:
            won = store.claim_event(key, now, claim_lease) if kind == "event" else store.claim_request(key, now)
            if won:
                store.record_request(item, now, lease)
            return won
