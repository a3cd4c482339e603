"""The interfaces the core talks through; the adapters implement them.

`Store` and `UnitOfWork` are implemented by `storage/` (SQLAlchemy), `Notifier` and
`Conversation` by `handlers/` (the Slack Web API) and by the console. Services are typed
against these protocols only, so the core runs, and is tested, without Slack or a database.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.audit.chain import Head
from bot.contract.approval import OverflowRequest
from bot.contract.hours import HoursEntry
from bot.contract.signoff import ChangeSet
from bot.digests.content import DailyDigest, WeeklyDigest
from bot.digests.fleet import FleetDigest
from bot.evidence import AuditRecord
from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import Handoff, Transition
from bot.inbox import InboxItem
from bot.matrix.model import Matrix, Review
from bot.outbox import DueTimer, NewPost, OutboxItem
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import Ping
from bot.reviews.cadence import Completed


class Store(Protocol):
    """One unit of work's view of the database: domain values in and out."""

    # organisations and matrices
    def organisation_keys(self) -> list[str]: ...
    def matrix_version(self, org_key: str) -> int | None: ...
    def matrix_versions(self) -> dict[str, int]: ...  # every organisation's, in one query
    def matrix_fingerprint(self, org_key: str) -> str | None: ...
    def provider_teams(self) -> dict[str, tuple[str, ...]]: ...  # each organisation's sides.provider.teams
    def load_matrix(self, org_key: str) -> Matrix | None: ...
    def serialise_imports(self) -> None: ...
    def save_matrix(self, matrix: Matrix, when: datetime) -> None: ...
    def locate(self, channel: str | None, user: str | None, team: str | None = None) -> tuple[str, int] | None: ...
    def organisation_for(self, channel: str | None, user: str | None, team: str | None = None) -> str | None: ...
    def organisations_of(self, user: str) -> list[str]: ...
    def read_versions(self, org_key: str) -> tuple[int, ...] | None:
        """The versions of the organisation's data a read-only answer depends on, as this unit
        located them; None when this unit cannot vouch for them (it writes, or never located)."""
        ...

    def read_handoff_versions(self, org_key: str) -> tuple[int, int] | None:
        """(matrix, handoff) versions, as `read_versions`: what a listing of handoffs depends on."""
        ...

    def read_hours_versions(self, org_key: str) -> tuple[int, int] | None:
        """(matrix, hours) versions, as `read_versions`: what `/tandem hours` depends on (the
        hours version is read as committed now, after the unit located the request)."""
        ...

    # leave and cover
    def leave_at(self, org_key: str, at: datetime) -> list[LeavePeriod]: ...
    def leave_starting(self, org_key: str, now: datetime, within: timedelta) -> list[LeavePeriod]: ...
    def leave_overlapping(self, org_key: str, start: datetime, end: datetime | None = None) -> list[LeavePeriod]:
        """Bookings overlapping [start, end), or not over by `start` when there is no end; by start."""
        ...

    def add_leave(self, org_key: str, period: LeavePeriod, created_by: str, now: datetime) -> int: ...
    def end_leave(self, org_key: str, leave_id: int, at: datetime) -> None: ...
    def cancel_leave(self, org_key: str, leave_id: int) -> None: ...

    # audit
    def audit(
        self,
        org_key: str,
        at: datetime,
        actor: str,
        kind: str,
        subject: str,
        detail: dict[str, Any] | None = None,
    ) -> AuditRecord: ...
    def audit_events(self, org_key: str, kind_prefix: str = "", since: datetime | None = None) -> list[AuditRecord]: ...
    def audit_head(self, org_key: str) -> Head | None: ...

    # hours
    def add_hours(self, org_key: str, entry: HoursEntry) -> None: ...
    def hours_on(self, org_key: str, handoff_id: int) -> int: ...
    def hours_logged(
        self, org_key: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[HoursEntry]: ...

    # overflow held for approval
    def add_overflow_request(self, request: OverflowRequest) -> int: ...
    def get_overflow_request(self, org_key: str, request_id: int, lock: bool = False) -> OverflowRequest | None: ...
    def place_overflow_request(self, request_id: int, channel: str, ts: str) -> None: ...
    def decide_overflow_request(self, request: OverflowRequest) -> bool: ...
    def release_overflow_request(self, request_id: int, handoff_id: int) -> None: ...
    def pending_overflow_requests(self, org_key: str) -> list[OverflowRequest]: ...

    # matrix sign-off
    def add_change_set(self, change: ChangeSet) -> int: ...
    def get_change_set(self, org_key: str, change_id: int, lock: bool = False) -> ChangeSet | None: ...
    def change_sets(self, org_key: str) -> list[ChangeSet]: ...
    def confirm_change_set(self, change_id: int, side: str, by: str, at: datetime) -> bool: ...
    def place_change_set(self, change_id: int, channel: str, ts: str) -> None: ...
    def change_set_message(self, org_key: str, change_id: int, outbox_key: str) -> tuple[str, str] | None: ...

    # handoffs
    def add_handoff(
        self, handoff: Handoff, due_at: datetime | None = None, alert_at: datetime | None = None
    ) -> int: ...
    def step_handoff(self, handoff: Handoff, due_at: datetime | None, alert_at: datetime | None) -> int | None: ...
    def place_handoff(self, handoff_id: int, channel: str, ts: str) -> None: ...
    def root_of(self, org_key: str, handoff_id: int) -> tuple[Handoff, int, datetime | None] | None: ...
    def sending_root(self, handoff_id: int, until: datetime) -> None: ...
    def show_root(self, handoff_id: int, version: int, current_only: bool = False) -> bool: ...
    def handoff_places(
        self, handoffs: list[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[str | None, str | None]]: ...
    def reschedule_handoff(self, handoff_id: int, due_at: datetime | None, alert_at: datetime | None) -> None: ...
    def last_step(self, org_key: str, handoff_id: int) -> AuditRecord | None: ...
    def get_handoff(self, org_key: str, handoff_id: int, lock: bool = False) -> Handoff | None: ...
    def most_urgent_handoffs(self, org_key: str, limit: int, only: HandoffFilter | None = None) -> list[Handoff]: ...
    def open_handoffs_after(self, org_key: str, after_id: int, limit: int) -> list[Handoff]: ...
    def count_open_handoffs(
        self, org_key: str, now: datetime, only: HandoffFilter | None = None
    ) -> tuple[int, int]: ...
    def next_due_handoff(self, org_key: str, now: datetime, only: HandoffFilter | None = None) -> datetime | None:
        """The soonest due instant at or after `now` of the open handoffs `only` leaves (its
        `breached_at` aside): `count_open_handoffs`'s breached count moves on just after it."""
        ...

    def handoffs_involving(self, org_key: str, user: str, limit: int = 20) -> list[Handoff]: ...
    def open_handoff_counts(
        self, org_key: str, now: datetime, ages: list[tuple[str, timedelta | None]]
    ) -> tuple[dict[str, int], dict[str, int]]: ...
    def handoffs_touched_since(self, org_key: str, start: datetime) -> list[Handoff]: ...  # and every open one
    def handoffs_since(self, org_key: str, start: datetime) -> list[Handoff]: ...

    # scheduler
    def due_handoff_alerts(self, now: datetime, limit: int) -> list[tuple[str, Handoff]]: ...
    def set_alerts_at(self, alerts: dict[int, datetime | None]) -> None: ...  # handoff id -> next alert
    def due_timers(self, now: datetime, limit: int) -> list[DueTimer]: ...
    def set_timer(self, timer_id: int, next_at: datetime | None) -> None: ...
    def replace_timers(self, org_key: str, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None: ...
    def set_timers(self, org_key: str, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None: ...
    def timer_starts(self, org_key: str) -> dict[tuple[str, str], datetime]: ...
    def timer_start(self, org_key: str, kind: str, subject: str) -> datetime | None: ...
    def enqueue(self, org_key: str, key: str, kind: str, payload: dict[str, Any], now: datetime) -> bool: ...
    def enqueue_all(self, posts: list[NewPost], now: datetime) -> set[str]:
        """Claim these occurrences in one statement; the keys that were new."""
        ...

    def claim_deliveries(self, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]: ...
    def mark_sent(self, key: str, channel: str | None, ts: str | None, now: datetime) -> None: ...
    def mark_all_sent(self, posts: list[tuple[str, str | None, str | None]], now: datetime) -> None:
        """Several posts' `mark_sent` in one statement: (key, channel, ts) each."""
        ...

    def claim_keys(self, keys: list[str], now: datetime, lease: timedelta) -> list[OutboxItem]:
        """These posts, if still pending, under a lease (the ones just enqueued, sent at once)."""
        ...

    def mark_failed(self, key: str, error: str, retry_at: datetime) -> None: ...
    def put_back(self, key: str, at: datetime, why: str) -> None:
        """A claimed post Slack took nothing of: pending again from `at`, its try not counted."""
        ...

    def pause_workspace(self, team: str, until: datetime) -> None:
        """No post claimed for workspace `team` before `until` (by any process)."""
        ...

    def hold(self, key: str, channel: str, error: str) -> bool:
        """Hold a post until the bot can post in `channel`; True when none was held there yet."""
        ...

    def release(self, channel: str, org_key: str | None = None) -> list[str]:
        """Posts held for `channel` (only `org_key`'s, if given) become pending again; their keys."""
        ...

    def posted_keys(self, org_key: str, prefix: str) -> frozenset[str]: ...
    def completions(self, org_key: str, review_key: str) -> frozenset[datetime]: ...
    def all_completions(self, org_key: str) -> dict[str, frozenset[datetime]]: ...
    def completion(self, org_key: str, review_key: str, due_at: datetime) -> Completed | None: ...
    def add_evidence(self, org_key: str, review_key: str, due_at: datetime, evidence: str) -> None:
        """Append `evidence` to a completed cycle's."""
        ...

    def add_completion(
        self, org_key: str, review_key: str, due_at: datetime, done_at: datetime, done_by: str, evidence: str
    ) -> bool: ...
    def prune(self, events_before: datetime, sent_before: datetime) -> tuple[int, int]: ...

    # Slack event de-duplication
    def claim_event(self, event_id: str, now: datetime, lease: timedelta) -> bool: ...
    def finish_event(self, event_id: str, now: datetime) -> None: ...
    def claim_request(self, key: str, now: datetime) -> bool:
        """True the first time this request (its trigger or signature) is seen."""
        ...

    # Requests acknowledged before their work (bot.inbox)
    def record_request(self, item: InboxItem, now: datetime, lease: timedelta) -> bool: ...
    def claim_requests(self, now: datetime, lease: timedelta, limit: int) -> list[InboxItem]: ...
    def next_request_lease(self) -> datetime | None: ...
    def finish_request(self, key: str, now: datetime) -> bool: ...


@dataclass(frozen=True)
class Through:
    """The OAuth installation a request came through, as the installation store keys its bot
    (`team` None for an org-wide install), and the instant (naive UTC, as the store keeps
    expiries) its rotating token must outlast, or Bolt would refresh it first."""

    client_id: str
    enterprise: str | None
    team: str | None
    fresh_until: datetime


class UnitOfWork(Protocol):
    """Opens one transaction: `with units() as store:` commits at the end, or rolls back."""

    def __call__(
        self, read_only: bool = False, timeout: float | None = None, through: Through | None = None
    ) -> AbstractContextManager[Store]:
        """A unit that writes by default: it serialises with every other writer from its first
        read (so a step decided on what it read is applied to just that). `read_only`: it
        writes nothing and waits for no writer. `timeout`: give up waiting for a lock after
        this many seconds (an `OperationalError`), for work Slack waits on. `through` (a
        read-only unit): it locates nothing unless that installation is there, with a token
        that needs no refresh, in the same query."""
        ...

    def record_first(
        self,
        item: InboxItem,
        claim: tuple[str, str],
        now: datetime,
        claim_lease: timedelta,
        lease: timedelta,
        timeout: float | None,
    ) -> bool:
        """Take `claim` (kind "event", taken over once abandoned past `claim_lease`, or
        "request", finished at once) and record `item`, leased for `lease`, in one transaction
        that waits `timeout` seconds at most for a lock (None: as long as it takes): the one write an acknowledgement waits
        for. False when the claim was another delivery's, and nothing was recorded."""
        ...


class Conversation(Protocol):
    """Posting to a channel: the Slack Web API, or the console's printout."""

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Post a message (in a thread when `thread_ts` is given); return its ts."""
        ...

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message the bot posted."""
        ...

    def upload(self, channel: str, filename: str, content: str, comment: str) -> None:
        """Share a file in a channel."""
        ...

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ts of a recent post whose metadata carries `key` (checked before re-sending)."""
        ...


class Notifier(Protocol):
    """What services announce in the shared channel; the adapter renders and posts it."""

    def handoff_root(self, matrix: Matrix, handoff: Handoff, now: datetime, key: str) -> tuple[str, str]:
        """Post the handoff's root message, with its buttons; return (channel, ts)."""
        ...

    def handoff_opened(self, matrix: Matrix, handoff: Handoff, ping: Ping, now: datetime, key: str) -> tuple[str, str]:
        """The first reply in its thread: who is pinged, and why."""
        ...

    def handoff_said(self, matrix: Matrix, handoff: Handoff, transition: Transition, key: str) -> tuple[str, str]:
        """Say in the thread who took a step."""
        ...

    def held_notice(self, matrix: Matrix, to: str, channel: str, reason: str, key: str) -> tuple[str, str]:
        """Tell an admin, directly, that posts wait because Tandem cannot post in `channel`."""
        ...

    def handoff_refreshed(self, matrix: Matrix, handoff: Handoff, now: datetime) -> tuple[str, str]:
        """Re-render the root message as the handoff stands at `now` (its clocks move); return (channel, ts)."""
        ...

    def share_file(self, matrix: Matrix, channel: str, filename: str, content: str, comment: str) -> None:
        """Share an export where it was asked for; `comment` is plain words (the adapter escapes them)."""
        ...

    def sla_alert(
        self,
        matrix: Matrix,
        handoff: Handoff,
        payload: dict[str, Any],
        people: tuple[str, ...],
        escalation: tuple[str, ...],
        key: str,
        now: datetime,
    ) -> tuple[str, str]:
        """A warning in the handoff's thread."""
        ...

    def sla_breach(
        self,
        matrix: Matrix,
        handoff: Handoff,
        payload: dict[str, Any],
        people: tuple[str, ...],
        escalation: tuple[str, ...],
        key: str,
        now: datetime,
    ) -> tuple[str, str]:
        """At breach, a post in the shared channel naming escalation."""
        ...

    def review_post(
        self,
        matrix: Matrix,
        review: Review,
        due_at: datetime,
        stage: str,
        owners: tuple[str, ...],
        escalate_to: tuple[str, ...],
        key: str,
    ) -> tuple[str, str]:
        """A review reminder, due-day post (with Mark done) or overdue notice."""
        ...

    def digest_post(self, matrix: Matrix, digest: DailyDigest | WeeklyDigest, key: str | None) -> tuple[str, str]:
        """A daily or weekly digest in the shared channel."""
        ...

    def fleet_digest_post(self, team: str | None, channel: str, digest: FleetDigest, key: str) -> tuple[str, str]:
        """The weekly fleet digest in the provider's channel, posted through its workspace `team`."""
        ...

    def fleet_held_notice(self, team: str | None, to: str, channel: str, reason: str, key: str) -> tuple[str, str]:
        """Tell a provider admin, directly in workspace `team`, that the fleet digest waits for `channel`."""
        ...

    def find_posted(self, team: str | None, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """Where an interrupted post already landed in workspace `team`'s `channel`, if it did."""
        ...

    def hours_logged(
        self, matrix: Matrix, handoff: Handoff, entry: HoursEntry, total: int, key: str
    ) -> tuple[str, str]:
        """Say in the handoff's thread that `entry` was logged on it (`total` minutes now); where it went."""
        ...

    def approval_requested(self, matrix: Matrix, request: OverflowRequest, key: str) -> tuple[str, str]:
        """Post a held overflow request with Approve and Decline for its approvers; return (channel, ts)."""
        ...

    def approval_decided(self, matrix: Matrix, request: OverflowRequest) -> None:
        """Update the approval message to its outcome and tell the requester in its thread."""
        ...

    def signoff_requested(self, matrix: Matrix, change: ChangeSet, key: str | None) -> tuple[str, str]:
        """Post a change to who owns what with Confirm for one admin of each side; return (channel, ts)."""
        ...

    def signoff_confirmed(self, matrix: Matrix, change: ChangeSet, by: str, where: tuple[str, str] | None) -> None:
        """Update the Confirm message (at `where`) and say in its thread who confirmed it."""
        ...

    def matrix_changed(self, matrix: Matrix, changes: list[str], actor: str) -> str:
        """Announce an import's changes in the shared channel; return the post's ts."""
        ...
