"""Turning a claimed outbox item into a post: gather what it needs, hand it to the notifier.

Content is read when the post is made, not when it was claimed, so a digest or reminder
posted late says how things stand now. What is gathered is a typed value per kind of post;
the database transaction closes before the notifier talks to Slack.

A handoff's root message is refreshed (not posted) after each step and at each SLA
threshold, so what people look at shows the clock as it stands. Replicas refresh at once,
and Slack applies `chat.update`s in the order they arrive, so each refresh reads the
committed handoff under its row lock and takes the root for the send with a short lease
(`root_sending_until`) before calling Slack, then records the version sent (`root_version`).
A refresh that finds another in flight waits for a later tick; a step's refresh whose version
is not newer than what was sent is skipped; a threshold's refresh (`clock`) shows the same
version with the clock moved on. Every step queues its own refresh, so the newest version is
always sent last, and an older one never overwrites it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.contract.approval import OverflowRequest
from bot.contract.hours import HoursEntry
from bot.contract.signoff import ChangeSet
from bot.digests.content import DailyDigest, WeeklyDigest
from bot.digests.fleet import KIND as FLEET
from bot.handoffs.model import Handoff, Transition
from bot.matrix.model import Matrix, Review
from bot.outbox import OutboxItem, RootBusy, opened_key
from bot.ownership.duty import Ping, alerted, reviewers
from bot.ownership.pings import ping_from_json
from bot.ports import Notifier, Store
from bot.services import changes, digests, fleet
from bot.services.deps import Deps
from bot.services.marks import SentMarks, Shown
from bot.services.tick_matrices import TickMatrices

ROOT = "root"  # the outbox kind of a root message refresh (after a step, at each SLA threshold)
THREADED = frozenset({"sla", "opened", "said", "hours"})  # replies in a handoff's thread
IDEMPOTENT = frozenset({ROOT, "notice"})  # made again rather than looked for after a lost answer


class NotYet(Exception):
    """The post needs the handoff's root message, which is not posted yet: it waits its turn."""


@dataclass(frozen=True)
class SlaPost:
    handoff: Handoff
    payload: dict[str, Any]
    people: tuple[str, ...]  # who the alert pings
    escalation: tuple[str, ...]  # named at breach
    breach_post: bool  # the channel post at breach, rather than the alert in the thread


@dataclass(frozen=True)
class ReviewPost:
    review: Review
    due_at: datetime
    stage: str
    owners: tuple[str, ...]  # whom the post pings: the owner now, leave, cover and rotas applied
    escalate_to: tuple[str, ...]


@dataclass(frozen=True)
class DigestPost:
    digest: DailyDigest | WeeklyDigest


@dataclass(frozen=True)
class HandoffPost:
    """The root message posted, or a reply in its thread (a refresh is `_refresh_root`'s)."""

    kind: str  # "handoff" (the root message posted) | "opened" | "said"
    handoff: Handoff
    ping: Ping | None = None
    transition: Transition | None = None


@dataclass(frozen=True)
class ApprovalPost:
    """A held overflow request, with Approve and Decline for its approvers."""

    request: OverflowRequest


@dataclass(frozen=True)
class HoursPost:
    """The thread reply saying hours were logged on the handoff."""

    handoff: Handoff
    entry: HoursEntry
    total: int  # minutes on the handoff once the entry was logged


@dataclass(frozen=True)
class SignoffPost:
    change: ChangeSet


@dataclass(frozen=True)
class NoticePost:
    """A direct message to an admin: posts for a channel wait until Tandem is invited to it."""

    to: str
    channel: str
    reason: str


Post = SlaPost | ReviewPost | DigestPost | HandoffPost | NoticePost | SignoffPost | HoursPost | ApprovalPost


def _handoff_post(store: Store, item: OutboxItem) -> HandoffPost | None:
    handoff = store.get_handoff(item.organisation, item.payload["handoff"])
    if handoff is None:
        return None
    if item.kind != "handoff" and handoff.ts is None:
        raise NotYet(f"handoff #{handoff.id} has no root message yet")
    ping = ping_from_json(item.payload["ping"]) if item.kind == "opened" else None
    transition = Transition.from_json(item.payload["transition"]) if item.kind == "said" else None
    return HandoffPost(item.kind, handoff, ping, transition)


def _hours_post(store: Store, item: OutboxItem) -> HoursPost | None:
    p = item.payload
    handoff = store.get_handoff(item.organisation, p["handoff"])
    if handoff is None:
        return None
    if handoff.ts is None:
        raise NotYet(f"handoff #{handoff.id} has no root message yet")
    entry = HoursEntry(handoff.number, p["minutes"], p["by"], datetime.fromisoformat(p["at"]), p["note"])
    return HoursPost(handoff, entry, p["total"])


def _gather(store: Store, matrices: TickMatrices, item: OutboxItem, now: datetime) -> Post | None:
    """What the post says now; None when it has become moot (resolved handoff, removed review)."""
    matrix = matrices.get(store, item.organisation)
    if item.kind in ("handoff", "opened", "said"):
        return _handoff_post(store, item)
    if item.kind == "hours":
        return _hours_post(store, item)
    if item.kind == "approval":
        request = store.get_overflow_request(item.organisation, item.payload["request"])
        return ApprovalPost(request) if request is not None and request.status == "pending" else None
    if item.kind == "notice":
        return NoticePost(item.payload["to"], item.payload["channel"], item.payload["reason"])
    if item.kind in ("sla", "breach"):
        handoff = store.get_handoff(item.organisation, item.payload["handoff"])
        if handoff is None or not handoff.is_open:
            return None
        people, escalation = alerted(matrix, handoff, now, matrices.leave_at(store, matrix.organisation, now))
        return SlaPost(handoff, item.payload, people, escalation, item.kind == "breach")
    if item.kind == "review":
        review = matrix.review(item.payload["review"])
        if review is None:
            return None
        owners, escalate_to = reviewers(matrix, review, now, matrices.leave_at(store, matrix.organisation, now))
        due_at = datetime.fromisoformat(item.payload["due_at"])
        return ReviewPost(review, due_at, item.payload["stage"], owners, escalate_to)
    if item.kind == changes.OUTBOX_KIND:
        change = store.get_change_set(item.organisation, item.payload["change"])
        return SignoffPost(change) if change is not None and change.confirmed_at is None else None
    build = digests.weekly if item.payload["kind"] == "weekly" else digests.daily
    digest = build(store, matrix, now)
    if (
        isinstance(digest, DailyDigest)
        and digest.quiet
        and matrix.digest_quiet == "skip"
        and not item.payload.get("asked")
    ):
        return None  # nothing to report, and the organisation asked for silence then
    return DigestPost(digest)


def _send_handoff(notifier: Notifier, matrix: Matrix, post: HandoffPost, key: str, now: datetime) -> tuple[str, str]:
    handoff = post.handoff
    if post.kind == "handoff":
        return notifier.handoff_root(matrix, handoff, now, key)
    if post.kind == "opened" and post.ping is not None:
        return notifier.handoff_opened(matrix, handoff, post.ping, now, key)
    if post.transition is None:
        raise ValueError(f"{key} carries nothing to say")
    return notifier.handoff_said(matrix, handoff, post.transition, key)


def _send(notifier: Notifier, matrix: Matrix, post: Post, key: str, now: datetime) -> tuple[str, str]:
    if isinstance(post, HandoffPost):
        return _send_handoff(notifier, matrix, post, key, now)
    if isinstance(post, NoticePost):
        return notifier.held_notice(matrix, post.to, post.channel, post.reason, key)
    if isinstance(post, SlaPost):
        send = notifier.sla_breach if post.breach_post else notifier.sla_alert
        return send(matrix, post.handoff, post.payload, post.people, post.escalation, key, now)
    if isinstance(post, ReviewPost):
        return notifier.review_post(matrix, post.review, post.due_at, post.stage, post.owners, post.escalate_to, key)
    if isinstance(post, SignoffPost):
        return notifier.signoff_requested(matrix, post.change, key)
    if isinstance(post, ApprovalPost):
        return notifier.approval_requested(matrix, post.request, key)
    if isinstance(post, HoursPost):
        return notifier.hours_logged(matrix, post.handoff, post.entry, post.total, key)
    return notifier.digest_post(matrix, post.digest, key)


def post_occurrence(
    deps: Deps,
    item: OutboxItem,
    now: datetime,
    matrices: TickMatrices | None = None,
    marks: SentMarks | None = None,
) -> tuple[str | None, str | None]:
    """Post one occurrence; return where it went (channel, ts), or (None, None) if moot now.
    A root refresh is marked sent by the refresh itself (`_refresh_root`; with `marks`, when
    they are written); every other post is marked by the caller (`record`)."""
    matrices = matrices or TickMatrices(deps.matrices)
    if item.kind == ROOT:
        return _refresh_root(deps, item, now, matrices, marks)
    if not item.organisation:  # the fleet digest, or a notice that it waits
        return _post_fleet(deps, item, now, matrices)
    with deps.units(read_only=True) as store:
        matrix = matrices.get(store, item.organisation)
        post = _gather(store, matrices, item, now)
    if post is None:
        return None, None
    return _send(deps.notifier, matrix, post, item.key, now)


def _post_fleet(deps: Deps, item: OutboxItem, now: datetime, matrices: TickMatrices) -> tuple[str, str]:
    """The fleet digest, in the provider's channel through the provider's workspace; or, while
    Tandem cannot post there, the notice that tells a provider admin so."""
    team, p = item.team or None, item.payload
    if item.kind == "notice":
        return deps.notifier.fleet_held_notice(team, p["to"], p["channel"], p["reason"], item.key)
    with deps.units(read_only=True) as store:
        digest = fleet.fleet_digest(store, matrices, item, now)
    return deps.notifier.fleet_digest_post(team, p["channel"], digest, item.key)


ROOT_LEASE = timedelta(seconds=60)  # a refresh that died mid-send frees its root after this


def _refresh_due(item: OutboxItem, handoff: Handoff, shown: int, busy_until: datetime | None, now: datetime) -> bool:
    """Whether this refresh sends the root now; `RootBusy` when a threshold's refresh meets one in flight."""
    if handoff.ts is None:
        return False  # not posted yet: when it is, it shows the handoff as it stands then
    if handoff.version < shown or (handoff.version == shown and not item.payload.get("clock")):
        return False
    if busy_until is not None and busy_until > now:
        if item.payload.get("clock"):
            raise RootBusy(busy_until)
        return False
    return True


def _refresh_root(
    deps: Deps, item: OutboxItem, now: datetime, matrices: TickMatrices, marks: SentMarks | None = None
) -> tuple[str | None, str | None]:
    """The root message updated to the committed handoff; (None, None) when it already shows
    this version, or another refresh in flight will show it.

    The root is taken for the send under a short lease, so no database lock is held while
    Slack is called and no other refresh overtakes this one. A step's refresh that finds the
    root taken leaves it to the one in flight, which, before letting go, records the version
    it sent only if no newer one committed meanwhile, and sends once more if one did; a
    threshold's refresh (`RootBusy`) waits for a later tick instead, to show the clock then.
    The outbox item is marked sent in the transaction that decides there is nothing more to
    send, so a refresh costs two transactions; with `marks`, that second one is the group's
    (`bot.services.marks`), and a newer version committed meanwhile is sent by putting the
    refresh back, due at once."""
    org, number = item.organisation, item.payload["handoff"]
    if marks is not None and marks.holds(number):
        marks.flush()  # this root is held until the refresh before this one is written
    with deps.units() as store:
        matrix = matrices.get(store, org)
        found = store.root_of(org, number)
        if found is None or not _refresh_due(item, *found, now):
            store.mark_sent(item.key, None, None, now)
            return None, None
        handoff, sent, _ = found
        store.sending_root(number, now + ROOT_LEASE)
    try:
        while True:
            where = deps.notifier.handoff_refreshed(matrix, handoff, now)
            sent = handoff.version
            if marks is not None:
                marks.shown(Shown(item, number, sent, where))
                return where
            with deps.units() as store:
                shown = store.show_root(number, sent, current_only=True)
                newer = None if shown else store.get_handoff(org, number, lock=True)
                if newer is None:
                    store.mark_sent(item.key, *where, now)
                    return where
                store.sending_root(number, now + ROOT_LEASE)
            handoff = newer
    except BaseException:
        with deps.units() as store:
            store.show_root(number, sent)
        raise


def record(store: Store, item: OutboxItem, channel: str | None, ts: str | None, now: datetime) -> list[str]:
    """Mark the post sent, with what follows from it; the keys of posts that are now due.

    A root message's ts is written to its handoff here (an approval message's to its held
    request), and only now is the first thread reply queued: it has a thread to go in."""
    store.mark_sent(item.key, channel, ts, now)
    if item.kind == "approval" and channel is not None and ts is not None:
        store.place_overflow_request(item.payload["request"], channel, ts)
    if item.kind != "handoff" or channel is None or ts is None:
        return []
    handoff_id = item.payload["handoff"]
    store.place_handoff(handoff_id, channel, ts)
    key = opened_key(handoff_id)
    payload = {"handoff": handoff_id, "ping": item.payload["ping"]}
    return [key] if store.enqueue(item.organisation, key, "opened", payload, now) else []


def destination(
    matrix: Matrix, item: OutboxItem, place: tuple[str | None, str | None] | None
) -> tuple[str | None, str | None]:
    """Where the item's post goes as things stand: (channel, thread ts), given where its
    handoff's root message is (`place`: None when it is about no handoff that exists). The
    channel is None for a root message refresh (an update, not a post) and where there is none yet."""
    if item.kind == ROOT:
        return None, None
    if item.kind == "notice":
        return item.payload["to"], None
    channel, thread = matrix.channel, None
    if place is not None:
        channel = place[0] or channel
        thread = place[1] if item.kind in THREADED else None
    return channel, thread


def destinations(deps: Deps, items: list[OutboxItem], matrices: TickMatrices) -> list[str | None]:
    """The channel of each item's post, their handoffs read in one query (None: it paces
    nothing, as when its matrix cannot be read: posting it then fails, and backs off, on its own)."""
    about = [(i.organisation, i.payload["handoff"]) for i in items if i.kind != ROOT and "handoff" in i.payload]
    channels: list[str | None] = []
    with deps.units(read_only=True) as store:
        places = store.handoff_places(about) if about else {}
        for item in items:
            try:
                if not item.organisation:  # the fleet digest, or a notice to one of its admins
                    channels.append(item.payload["channel"] if item.kind == FLEET else item.payload["to"])
                    continue
                about_one = "handoff" in item.payload
                place = places.get((item.organisation, item.payload["handoff"])) if about_one else None
                channels.append(destination(matrices.get(store, item.organisation), item, place)[0])
            except Exception:  # noqa: BLE001 - the delivery meets it again and says so
                channels.append(None)
    return channels


def already_posted(deps: Deps, item: OutboxItem, matrices: TickMatrices) -> tuple[str, str] | None:
    """Where an interrupted send already landed, if it did (found by its metadata key)."""
    if item.kind in IDEMPOTENT:
        return None
    if item.kind == FLEET:
        ts = deps.notifier.find_posted(item.team or None, item.payload["channel"], item.key)
        return (item.payload["channel"], ts) if ts else None
    with deps.units(read_only=True) as store:
        matrix = matrices.get(store, item.organisation)
        handoff = store.get_handoff(item.organisation, item.payload["handoff"]) if "handoff" in item.payload else None
        channel, thread = destination(matrix, item, (handoff.channel, handoff.ts) if handoff else None)
    if not channel or (item.kind in THREADED and thread is None):
        return None
    ts = deps.notifier.find_posted(matrix.team, channel, item.key, thread_ts=thread)
    return (channel, ts) if ts else None
