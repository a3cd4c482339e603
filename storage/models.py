"""Database tables, SQLAlchemy 2.x typed models.

Every row hangs off an organisation, so one install can hold several client matrices.
The matrix tables are rewritten as a whole on each import that changes something; handoffs
and reviews refer to areas by key, not by row id, so a re-import never orphans them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Instants always come back timezone-aware in UTC (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict: JSON, list: JSON}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32), index=True)
    team: Mapped[str | None] = mapped_column(String(32))  # the workspace the channel lives in
    business_days: Mapped[str] = mapped_column(String(32))
    business_start: Mapped[str] = mapped_column(String(5))
    business_end: Mapped[str] = mapped_column(String(5))
    # openings beyond the first, each [days, start, end] as the file writes them
    business_hours_more: Mapped[list] = mapped_column(default=list, server_default="[]")
    digest_time: Mapped[str] = mapped_column(String(5), default="08:30")
    digest_quiet: Mapped[str] = mapped_column(String(8), default="post")  # post | skip
    sla_default: Mapped[str] = mapped_column(String(4))
    sla_warn_at: Mapped[list] = mapped_column(default=list)
    matrix_version: Mapped[int] = mapped_column(Integer, default=1)
    leave_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # moved on by every leave write
    # moved on by every matrix change set and confirmation
    signoff_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    matrix_fingerprint: Mapped[str | None] = mapped_column(String(64))  # Matrix.fingerprint() as imported
    imported_at: Mapped[datetime | None]

    sides: Mapped[list[Side]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Side.position"
    )
    areas: Mapped[list[Area]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Area.position"
    )
    sla_targets: Mapped[list[SlaTarget]] = relationship(cascade="all, delete-orphan", order_by="SlaTarget.priority")
    reviews: Mapped[list[Review]] = relationship(cascade="all, delete-orphan", order_by="Review.position")
    rotas: Mapped[list[Rota]] = relationship(cascade="all, delete-orphan", order_by="Rota.position")
    holidays: Mapped[list[Holiday]] = relationship(cascade="all, delete-orphan", order_by="Holiday.day")


class Side(Base):
    __tablename__ = "sides"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    teams: Mapped[list] = mapped_column(default=list, server_default="[]")  # workspaces its people come from

    organisation: Mapped[Organisation] = relationship(back_populates="sides")
    people: Mapped[list[Person]] = relationship(cascade="all, delete-orphan", order_by="Person.position")
    groups: Mapped[list[Group]] = relationship(cascade="all, delete-orphan", order_by="Group.position")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("organisation_id", "slack_id"), Index("ix_people_slack_id", "slack_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    side_id: Mapped[int] = mapped_column(ForeignKey("sides.id", ondelete="CASCADE"))
    slack_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    side_id: Mapped[int] = mapped_column(ForeignKey("sides.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    members: Mapped[list] = mapped_column(default=list)  # Slack ids, in file order
    position: Mapped[int] = mapped_column(default=0)


class SlaTarget(Base):
    __tablename__ = "sla_targets"
    __table_args__ = (UniqueConstraint("organisation_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(4))
    respond: Mapped[str] = mapped_column(String(16))
    resolve: Mapped[str] = mapped_column(String(16))
    clock: Mapped[str] = mapped_column(String(16))


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("organisation_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


class OrganisationTeam(Base):
    """Which organisations a workspace's requests may belong to: the matrix's `team` and each
    side's `teams`, kept as rows so a request without a known channel finds them by index."""

    __tablename__ = "organisation_teams"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    team: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    lead: Mapped[str | None] = mapped_column(String(64))
    coverage: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(4))
    notes: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation] = relationship(back_populates="areas")
    aliases: Mapped[list[AreaAlias]] = relationship(cascade="all, delete-orphan", order_by="AreaAlias.position")
    roles: Mapped[list[AreaRole]] = relationship(cascade="all, delete-orphan", order_by="AreaRole.position")


class AreaAlias(Base):
    __tablename__ = "area_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class AreaRole(Base):
    """One RACI cell: this party holds this role (responsible, accountable, ...) for the area."""

    __tablename__ = "area_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    party: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class Rota(Base):
    """People who take turns (an after-hours rota), and when the turn passes on."""

    __tablename__ = "rotas"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    people: Mapped[list] = mapped_column(default=list)  # Slack ids, in turn order
    every_days: Mapped[int]
    handover_at: Mapped[str] = mapped_column(String(5))  # local "HH:MM"
    weekday: Mapped[int | None]  # 0 = Monday, when handovers name one
    start: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(default=0)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    schedule: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(64))
    remind_before: Mapped[str | None] = mapped_column(String(16))
    area_key: Mapped[str | None] = mapped_column(String(64))
    grace: Mapped[str | None] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


class Leave(Base):
    """Someone is away until a date; someone else may cover for them. Set from Slack, not the file."""

    __tablename__ = "leave"
    __table_args__ = (Index("ix_leave_org_person", "organisation_id", "person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    cover: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only evidence: matrix changes, cover, handoff transitions, completed reviews.

    Each organisation's events form a hash chain (`bot.audit.chain`): `seq` counts them in
    the order they were appended, `prev_hash` is the hash of the one before, `hash` their own.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_org_at", "organisation_id", "at"),
        UniqueConstraint("organisation_id", "seq", name="uq_audit_org_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(default=dict)
    seq: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The newest link of an organisation's audit chain. Appends update this row first, so
    they take their turn per organisation (a row lock on PostgreSQL, the write lock on
    SQLite), and `verify` notices when the newest events were removed."""

    __tablename__ = "audit_heads"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))


class ProcessedEvent(Base):
    """Slack deliveries taken by some replica: a retry of a handled event id does nothing.

    `claimed_at` starts a lease; `done_at` closes it. A retry finding an unfinished claim
    older than the lease takes it over, so an event whose first delivery died mid-way is
    still handled once.
    """

    __tablename__ = "processed_events"
    __table_args__ = (Index("ix_processed_events_done_at", "done_at"),)

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    claimed_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class InboxRequest(Base):
    """A Slack request acknowledged before its work was done (`bot.inbox`): what Slack sent,
    recorded before the acknowledgement, finished with the work's own commit.

    pending (leased until `lease_until`) → done. A pending row past its lease is run again.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_pending", "state", "lease_until"), Index("ix_inbox_done_at", "done_at"))

    key: Mapped[str] = mapped_column(String(128), primary_key=True)  # the request's once key
    kind: Mapped[str] = mapped_column(String(32))  # Slack's type: event_callback, block_actions, command…
    team: Mapped[str | None] = mapped_column(String(32))
    work: Mapped[str] = mapped_column(String(64))  # the deferred listener that does it
    payload: Mapped[dict] = mapped_column(default=dict)  # the body as Bolt parsed it
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    done_at: Mapped[datetime | None]


class HandoffVersion(Base):
    """Moved on by every handoff opened or stepped (`storage.handoff_repo.moved_on`), so that
    read-only commands can keep an organisation's handoffs in memory (`storage.quick`)."""

    __tablename__ = "handoff_versions"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReviewVersion(Base):
    """Moved on by every review completion and every review timer added or removed
    (`storage.schedule_repo.reviews_moved_on`), so that `/tandem reviews` can keep an
    organisation's completions and timer starts in memory (`storage.quick`)."""

    __tablename__ = "review_versions"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Handoff(Base):
    """A handoff or overflow request between the two sides, with its SLA clock inputs."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_open", "organisation_id", "resolved_at", "opened_at"),
        Index("ix_handoffs_assignee", "organisation_id", "assignee", "resolved_at"),
        Index("ix_handoffs_requester", "organisation_id", "requester", "resolved_at"),
        Index("ix_handoffs_message", "channel", "ts"),
        Index("ix_handoffs_due", "organisation_id", "resolved_at", "due_at"),
        Index("ix_handoffs_alert", "alert_at"),
        {"sqlite_autoincrement": True},  # an id is never handed out twice, even after a rollback
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(4))
    requester: Mapped[str] = mapped_column(String(32))
    requester_side: Mapped[str] = mapped_column(String(16))
    target_side: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))
    original_target: Mapped[str | None] = mapped_column(String(64))  # as opened; target moves on a hand back
    original_target_side: Mapped[str | None] = mapped_column(String(16))
    area_key: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    pauses: Mapped[list] = mapped_column(default=list)  # [[start ISO, end ISO or null], ...]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime | None]  # earliest due instant of a running clock: /tandem sla order
    alert_at: Mapped[datetime | None]  # when the next SLA warning or breach falls due: the scheduler's cue
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # +1 on every step: compare-and-set
    root_version: Mapped[int] = mapped_column(default=0, server_default="0")  # what the root message shows
    root_sending_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a refresh is in flight till then


class Timer(Base):
    """When a review's or an organisation's digest next needs the scheduler's attention."""

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "subject"), Index("ix_timers_next_at", "next_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "review" | "digest"
    subject: Mapped[str] = mapped_column(String(64))  # review key, or "digest"
    next_at: Mapped[datetime | None]
    since: Mapped[datetime]  # when it was first scheduled: nothing due before then is posted


class Outbox(Base):
    """Every post, claimed by its occurrence key before it is sent: posted once.

    pending → sending (leased) → sent with the Slack ts. A failed post goes back to pending
    with `retry_at` pushed further out each time; a post to a channel the bot cannot post in
    is `held` (with that `channel`) until the bot joins it.

    A post belongs to its organisation (deleted with it, posted in its workspace), except the
    weekly fleet digest, which reports on every organisation and belongs to none: its
    `organisation_id` is NULL and `team` names the provider's workspace it is posted in. Tying
    it to one client instead would post it through that client's workspace and delete it with
    that client; a table of its own would be a second outbox, with its own leases and retries.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status", "status", "lease_until"),
        Index("ix_outbox_sent_at", "status", "sent_at"),
    )

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    team: Mapped[str | None] = mapped_column(String(32))  # a deployment's post: its workspace (None: one token)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None]


class WorkspacePause(Base):
    """Slack answered 429 for a workspace: no replica posts there before `until` (its Retry-After)."""

    __tablename__ = "workspace_pauses"

    team: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" for organisations naming no team
    until: Mapped[datetime]


class ReviewCompletion(Base):
    """Evidence that one cycle of a recurring review was done: by whom, when, with what."""

    __tablename__ = "review_completions"
    __table_args__ = (UniqueConstraint("organisation_id", "review_key", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    review_key: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime]
    done_at: Mapped[datetime]
    done_by: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text, default="")


class Heartbeat(Base):
    """One row per kind of beat ("tick", "start"): shared by every worker and replica, so
    `/healthz` on any of them can tell whether anyone's scheduler is still ticking."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]
