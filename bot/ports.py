"""The interfaces the core talks through; the adapters implement them.

`Store` and `UnitOfWork` are implemented by `storage/` (SQLAlchemy), `Notifier` and
`Conversation` by `handlers/` (the Slack Web API) and by the console. Services are typed
against these protocols only, so the core runs, and is tested, without Slack or a database.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.audit.chain import Head
from bot.contract.hours import HoursEntry, Logged
from bot.digests.content import DailyDigest, WeeklyDigest
from bot.evidence import AuditRecord
from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import Handoff, Transition
from bot.matrix.model import Matrix, Review
from bot.outbox import DueTimer, OutboxItem
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import Ping
from bot.reviews.cadence import Completed


class Store(Protocol):
    """One unit of work's view of the database: domain values in and out."""

    # organisations and matrices
    def organisation_keys(self) -> list[str]: ...
    def matrix_version(self, org_key: str) -> int | None: ...
    def matrix_fingerprint(self, org_key: str) -> str | None: ...
    def load_matrix(self, org_key: str) -> Matrix | None: ...
    def serialise_imports(self) -> None: ...
    def save_matrix(self, matrix: Matrix, when: datetime) -> None: ...
    def locate(self, channel: str | None, user: str | None, team: str | None = None) -> tuple[str, int] | None: ...
    def organisation_for(self, channel: str | None, user: str | None, team: str | None = None) -> str | None: ...

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

    # handoffs
    def add_handoff(
        self, handoff: Handoff, due_at: datetime | None = None, alert_at: datetime | None = None
    ) -> int: ...
    def save_handoff(
        self, handoff: Handoff, due_at: datetime | None = None, alert_at: datetime | None = None
    ) -> None: ...
    def step_handoff(self, handoff: Handoff, due_at: datetime | None, alert_at: datetime | None) -> int | None: ...
    def reschedule_handoff(self, handoff_id: int, due_at: datetime | None, alert_at: datetime | None) -> None: ...
    def last_step(self, org_key: str, handoff_id: int) -> AuditRecord | None: ...
    def get_handoff(self, org_key: str, handoff_id: int, lock: bool = False) -> Handoff | None: ...
    def most_urgent_handoffs(self, org_key: str, limit: int, only: HandoffFilter | None = None) -> list[Handoff]: ...
    def open_handoffs_after(self, org_key: str, after_id: int, limit: int) -> list[Handoff]: ...
    def count_open_handoffs(
        self, org_key: str, now: datetime, only: HandoffFilter | None = None
    ) -> tuple[int, int]: ...
    def handoffs_involving(self, org_key: str, user: str, limit: int = 20) -> list[Handoff]: ...
    def open_handoff_counts(
        self, org_key: str, now: datetime, ages: list[tuple[str, timedelta | None]]
    ) -> tuple[dict[str, int], dict[str, int]]: ...
    def handoffs_touched_since(self, org_key: str, start: datetime) -> list[Handoff]: ...  # and every open one
    def handoffs_since(self, org_key: str, start: datetime) -> list[Handoff]: ...

    # scheduler
    def due_handoff_alerts(self, now: datetime, limit: int) -> list[tuple[str, Handoff]]: ...
    def set_alert_at(self, handoff_id: int, at: datetime | None) -> None: ...
    def due_timers(self, now: datetime, limit: int) -> list[DueTimer]: ...
    def set_timer(self, timer_id: int, next_at: datetime | None) -> None: ...
    def replace_timers(self, org_key: str, timers: dict[tuple[str, str], datetime | None], now: datetime) -> None: ...
    def timer_starts(self, org_key: str) -> dict[tuple[str, str], datetime]: ...
    def enqueue(self, org_key: str, key: str, kind: str, payload: dict[str, Any], now: datetime) -> bool: ...
    def claim_deliveries(self, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]: ...
    def mark_sent(self, key: str, channel: str | None, ts: str | None, now: datetime) -> None: ...
    def mark_failed(self, key: str, error: str, give_up: bool) -> None: ...
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


class UnitOfWork(Protocol):
    """Opens one transaction: `with units() as store:` commits at the end, or rolls back."""

    def __call__(self, read_only: bool = False, timeout: float | None = None) -> AbstractContextManager[Store]:
        """A unit that writes by default: it serialises with every other writer from its first
        read (so a step decided on what it read is applied to just that). `read_only`: it
        writes nothing and waits for no writer. `timeout`: give up waiting for a lock after
        this many seconds (an `OperationalError`), for work Slack waits on."""
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

    def handoff_opened(self, matrix: Matrix, handoff: Handoff, ping: Ping, now: datetime) -> tuple[str, str]:
        """Post the root message and the first thread reply (who is pinged, and why); return (channel, ts)."""
        ...

    def handoff_changed(self, matrix: Matrix, handoff: Handoff, transition: Transition, now: datetime) -> None:
        """Update the root message and say in the thread who did what."""
        ...

    def handoff_refreshed(self, matrix: Matrix, handoff: Handoff, now: datetime) -> tuple[str, str]:
        """Re-render the root message as the handoff stands at `now` (its clocks move); return (channel, ts)."""
        ...

    def share_file(self, channel: str, filename: str, content: str, comment: str) -> None:
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
        """A warning in the handoff's thread; at breach also a channel post naming escalation."""
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

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """Where an interrupted post already landed, if it did."""
        ...

    def hours_logged(self, matrix: Matrix, logged: Logged) -> None:
        """Say in the handoff's thread that hours were logged on it."""
        ...

    def matrix_changed(self, matrix: Matrix, changes: list[str], actor: str) -> str:
        """Announce an import's changes in the shared channel; return the post's ts."""
        ...
