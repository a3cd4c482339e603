"""The scheduler's one job, shared by `tandem tick` and the in-process heartbeat.

A tick has two halves. Planning wakes every timer and SLA clock whose `next_at` has come,
asks the pure domain what occurrence is due, and claims it in the outbox under its unique
key (the database decides: any number of replicas claim it once). Delivery takes pending
posts under a lease, posts them, and records the Slack ts; a failed post returns to
pending and is tried again after a back-off (a minute, doubling to hours), and a post to a
channel Tandem is not in is held until it joins. A post whose lease ran out mid-way, or
whose earlier try failed after it may have landed, is only sent again after checking Slack
does not already show it, using the occurrence key in message metadata. Posts are paced per
channel and per workspace (`bot.services.pacing`): a 429 puts the post back, not counted as
a failure, and pauses its workspace for the `Retry-After` Slack gave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerts.sla import due_alerts, next_alert_at
from bot.digests.timing import due_digests, next_digest_at
from bot.outbox import (
    ChannelUnavailable,
    NewPost,
    NotInstalled,
    OutboxItem,
    RateLimited,
    RootBusy,
    backoff,
    breach_key,
    held_for,
)
from bot.ports import Store
from bot.reviews.cadence import due_occurrence
from bot.reviews.cadence import next_at as review_next_at
from bot.services import fleet
from bot.services.cycles import settle
from bot.services.deps import Deps
from bot.services.marks import GROUPED, SentMarks
from bot.services.pacing import Pacer
from bot.services.posts import ROOT, already_posted, destinations, post_occurrence, record
from bot.services.tick_matrices import TickMatrices

log = logging.getLogger(__name__)
BATCH = 200
LEASE = timedelta(minutes=2)
# Tables that only grow are pruned by each tick: Slack retries an event within minutes, and a
# sent post's key only guards against re-posting while its occurrence can still fall due.
EVENT_RETENTION = timedelta(days=7)
SENT_RETENTION = timedelta(days=90)


@dataclass
class TickReport:
    planned: int = 0
    posted: int = 0
    failed: int = 0  # tried again after a back-off
    held: int = 0  # waiting for Tandem to be invited to their channel
    skipped: int = 0  # leased posts found already in Slack
    deferred: int = 0  # put back for a later tick: their channel or workspace had to wait
    updated: int = 0  # handoff root messages brought up to date (not counted as posted)
    pruned: int = 0  # handled events and sent posts past their retention


def _plan_alerts(deps: Deps, now: datetime, matrices: TickMatrices) -> int:
    """Claim the alerts of every handoff whose alert instant came, a batch of handoffs per
    transaction, its occurrences in one statement and its next alert instants in another."""
    planned = 0
    while True:
        with deps.units() as store:
            due = store.due_handoff_alerts(now, BATCH)
            posts: list[NewPost] = []
            next_alerts: dict[int, datetime | None] = {}
            for org, handoff in due:
                matrix = matrices.get(store, org)
                for alert in due_alerts(handoff, matrix, now):
                    payload = {"handoff": handoff.id, "clock": alert.clock, "percent": alert.percent,
                               "breach": alert.breach}  # fmt: skip
                    posts.append(NewPost(org, alert.key, "sla", payload))
                    if alert.breach:
                        posts.append(NewPost(org, breach_key(alert.key), "breach", payload))
                    # The root message shows the clocks: refresh it at each threshold too, as its own
                    # delivery, so a failed update is retried without posting the alert twice.
                    posts.append(NewPost(org, f"root:{alert.key}", ROOT, {"handoff": handoff.id, "clock": True}))
                next_alerts[handoff.number] = next_alert_at(handoff, matrix, now)
            new = store.enqueue_all(posts, now)
            planned += sum(1 for p in posts if p.kind != ROOT and p.key in new)
            store.set_alerts_at(next_alerts)
        if len(due) < BATCH:
            return planned


def _plan_timers(deps: Deps, now: datetime, matrices: TickMatrices) -> int:
    planned = 0
    while True:
        with deps.units() as store:
            due = store.due_timers(now, BATCH)
            for timer in due:
                matrix = matrices.get(store, timer.organisation)
                if timer.kind == "digest":
                    posted = store.posted_keys(timer.organisation, f"digest:{timer.organisation}:")
                    for digest in (o for o in due_digests(matrix, now, posted) if o.at >= timer.since):
                        planned += store.enqueue(
                            timer.organisation,
                            digest.key,
                            "digest",
                            {"kind": digest.kind, "at": digest.at.isoformat()},
                            now,
                        )
                    store.set_timer(timer.id, next_digest_at(matrix, now))
                    continue
                review = matrix.review(timer.subject)
                if review is None:  # removed by a re-import since the timer was set
                    store.set_timer(timer.id, None)
                    continue
                done = settle(matrix, review, store.completions(timer.organisation, review.key), timer.since)
                occurrence = due_occurrence(matrix, review, done, now)
                if occurrence is not None:
                    planned += store.enqueue(
                        timer.organisation,
                        occurrence.key,
                        "review",
                        {
                            "review": review.key,
                            "due_at": occurrence.due_at.isoformat(),
                            "stage": occurrence.stage,
                        },
                        now,
                    )
                store.set_timer(timer.id, review_next_at(matrix, review, done, now))
        if len(due) < BATCH:
            return planned


def plan(deps: Deps, now: datetime) -> int:
    """Claim every occurrence due at `now`; return how many were new."""
    matrices = TickMatrices(deps.matrices)
    return _plan_alerts(deps, now, matrices) + _plan_timers(deps, now, matrices) + fleet.plan(deps, now)


@dataclass(frozen=True)
class Outcome:
    """What came of one delivery: the posts it made due (claimed in the transaction that made
    them, so no other process takes them meanwhile and no transaction is spent on the claim),
    or why it did not land."""

    follow: list[OutboxItem]
    problem: Exception | None = None


def claimed(store: Store, keys: list[str], now: datetime) -> list[OutboxItem]:
    """Claim, in the transaction that queued them, the posts a change just made due, so no other
    process takes them meanwhile and no transaction of its own is spent on the claim; the
    caller posts them once that transaction has committed (`deliver_claimed`). A process that
    dies before posting leaves them `sending` under their lease, as one that dies mid-post
    does: the next tick past the lease looks each up in Slack by its key before posting it."""
    return store.claim_keys(keys, now, LEASE) if keys else []


def _hold(
    deps: Deps, item: OutboxItem, refused: ChannelUnavailable, now: datetime, matrices: TickMatrices
) -> list[OutboxItem]:
    """Hold the post for its channel; the first held there tells each admin, once: the
    organisation's, or for the fleet digest the provider admins of every matrix (in the
    fleet's own workspace)."""
    with deps.units() as store:
        if not store.hold(item.key, refused.channel, f"{refused.reason}: {refused.channel}"):
            return []
        if item.organisation:
            admins = [p.slack for p in matrices.get(store, item.organisation).admins()]
        else:
            admins = fleet.provider_admins(store, matrices)
        notices = [
            NewPost(
                item.organisation,
                f"held:{refused.channel}:{item.key}:{admin}",
                "notice",
                {"to": admin, "channel": refused.channel, "reason": refused.reason},
                None if item.organisation else item.team,
            )
            for admin in dict.fromkeys(admins)
        ]
        new = store.enqueue_all(notices, now)
        return claimed(store, [n.key for n in notices if n.key in new], now)


def _hold_for_workspace(deps: Deps, item: OutboxItem, missing: NotInstalled) -> None:
    """Hold the post until its workspace installs Tandem (again); one line says so per workspace.
    Nobody there can be told in Slack: Tandem has no token for it."""
    with deps.units() as store:
        first = store.hold(item.key, held_for(missing.workspace), str(missing))
    if first:
        log.warning(
            "posts for %s held: %s; they are posted when it is installed (again) from /slack/install",
            item.organisation or "the fleet digest",
            str(missing) if missing.workspace else "its matrix names no workspace (team:)",
        )


def release_workspace(deps: Deps, workspace: str) -> list[Exception]:
    """Tandem was installed in `workspace`: post what was held for it, now."""
    with deps.units() as store:
        keys = store.release(held_for(workspace))
    if keys:
        log.info("installed in workspace %s: posting %d held post(s)", workspace, len(keys))
    return deliver_now(deps, keys)


def deliver_item(
    deps: Deps,
    item: OutboxItem,
    now: datetime,
    matrices: TickMatrices,
    report: TickReport,
    pacer: Pacer | None = None,
    marks: SentMarks | None = None,
) -> Outcome:
    """Post one claimed item (after checking Slack for it, if an earlier try may have landed);
    with `marks`, its sent mark may wait there to be written with others'."""
    try:
        found = already_posted(deps, item, matrices) if item.resend else None
        where: tuple[str | None, str | None]
        if found:
            report.skipped += 1
            where = found
        else:
            where = post_occurrence(deps, item, now, matrices, marks)
            if item.kind == ROOT:
                report.updated += 1
                return Outcome([])  # marked sent by the refresh, with the version it showed
            report.posted += 1
        if marks is not None and item.kind in GROUPED:
            marks.add(item.key, *where)
            return Outcome([])
        with deps.units() as store:
            if marks is not None:
                marks.write(store)
            return Outcome(claimed(store, record(store, item, *where, now), now))
    except ChannelUnavailable as refused:
        log.warning("post %s held: %s", item.key, refused)
        report.held += 1
        return Outcome(_hold(deps, item, refused, now, matrices), refused)
    except NotInstalled as missing:
        report.held += 1
        _hold_for_workspace(deps, item, missing)
        return Outcome([], missing)
    except RootBusy as busy:
        report.deferred += 1
        with deps.units() as store:  # the refresh in flight is done in moments: try again soon
            store.put_back(item.key, now + ROOT_RETRY, str(busy))
        return Outcome([], None)
    except RateLimited as limited:
        until = max(now, deps.clock.now()) + timedelta(seconds=limited.retry_after)
        log.warning("post %s put back: Slack asked workspace %r to wait until %s", item.key, item.team, until)
        report.deferred += 1
        if pacer is not None:
            pacer.pause(item.team, until)
        with deps.units() as store:
            store.pause_workspace(item.team, until)
            store.put_back(item.key, until, str(limited))
        return Outcome([], limited)
    except Exception as error:  # noqa: BLE001 - any failure: retried after a back-off
        wait = backoff(item.attempts)
        log.warning("post %s failed (attempt %d, next in %s): %s", item.key, item.attempts, wait, error)
        report.failed += 1
        with deps.units() as store:
            store.mark_failed(item.key, f"{type(error).__name__}: {error}", now + wait)
        return Outcome([], error)


ROOT_RETRY = timedelta(seconds=2)  # a root refresh that met another in flight waits this long


def deliver_keys(
    deps: Deps, keys: list[str], now: datetime, matrices: TickMatrices, report: TickReport
) -> list[Exception]:
    """Post these items now if nobody else took them, and whatever they make due; the problems met."""
    if not keys:
        return []
    with deps.units() as store:
        items = store.claim_keys(keys, now, LEASE)
    return deliver_items(deps, items, now, matrices, report)


def deliver_items(
    deps: Deps, items: list[OutboxItem], now: datetime, matrices: TickMatrices, report: TickReport
) -> list[Exception]:
    """Post these claimed items, and whatever they make due; the problems met.

    Their sent marks are written together (`SentMarks`), with the next that cannot wait or at
    the end: a button press's thread reply is marked in the transaction that records what its
    root refresh showed, one transaction instead of two. A mark that cannot be written leaves
    its post `sending` under its lease, found in Slack by its key by the tick after it."""
    problems: list[Exception] = []
    marks = SentMarks(deps.units, deps.pacing, now)
    try:
        while items:
            follow: list[OutboxItem] = []
            for item in items:
                outcome = deliver_item(deps, item, now, matrices, report, marks=marks)
                follow += outcome.follow
                problems += [outcome.problem] if outcome.problem else []
            marks.flush()
            items = follow + _claimed_again(deps, marks, now)
    finally:
        try:
            marks.flush()
        except Exception:
            log.warning("sent marks not written; the posts are found in Slack by their keys", exc_info=True)
    return problems


def deliver_now(deps: Deps, keys: list[str]) -> list[Exception]:
    """Send posts just enqueued by a committed change, in the request that made it: the channel
    hears at once, and what fails here is retried by the ticks. The problems met, to tell."""
    return deliver_keys(deps, keys, deps.clock.now(), TickMatrices(deps.matrices), TickReport())


def deliver_claimed(deps: Deps, items: list[OutboxItem]) -> list[Exception]:
    """`deliver_now` for posts the committed change claimed itself (`claimed`)."""
    return deliver_items(deps, items, deps.clock.now(), TickMatrices(deps.matrices), TickReport())


def deliver(deps: Deps, now: datetime, report: TickReport) -> None:
    """Post everything due (and every send whose lease ran out), each once, in due order and
    at each channel's and workspace's pace; what must wait past the tick's budget is put back."""
    matrices = TickMatrices(deps.matrices)
    pacer = Pacer(deps.pacing)
    while True:
        with deps.units() as store:
            items = store.claim_deliveries(now, LEASE, CLAIM)
        if not _deliver_paced(deps, items, now, matrices, report, pacer) or len(items) < CLAIM:
            return


CLAIM = 50  # posts claimed at once: few enough that their leases outlast the waits between them


def _deliver_paced(
    deps: Deps, items: list[OutboxItem], now: datetime, matrices: TickMatrices, report: TickReport, pacer: Pacer
) -> bool:
    """Post `items` and what they make due, oldest first, the first whose channel is free next;
    False when the tick's budget for waiting ran out and the rest was put back. Their sent
    marks are written in groups (`SentMarks`), all of them before this returns."""
    marks = SentMarks(deps.units, deps.pacing, now)
    try:
        return _post_paced(deps, items, now, matrices, report, pacer, marks)
    finally:
        marks.flush()


def _post_paced(
    deps: Deps,
    items: list[OutboxItem],
    now: datetime,
    matrices: TickMatrices,
    report: TickReport,
    pacer: Pacer,
    marks: SentMarks,
) -> bool:
    queue = list(zip(items, destinations(deps, items, matrices), strict=True))
    while True:
        if not queue:
            marks.flush()  # the batch is done: what waits is written, and what must go again goes
            again = _claimed_again(deps, marks, now)
            if not again:
                return True
            queue += zip(again, destinations(deps, again, matrices), strict=True)
        later = max(now, deps.clock.now())
        waiting = [(entry, pacer.paused_until(entry[0].team, later)) for entry in queue]
        for (item, _), until in waiting:
            if until is not None:
                _put_back(deps, item, until, "Slack asked its workspace to wait", report)
        queue = [entry for entry, until in waiting if until is None]
        free = next((entry for entry in queue if not pacer.free_in(entry[1])), None)
        if free is None:
            marks.flush()  # while the channels make the tick wait anyway
            if queue and not pacer.wait(min(pacer.free_in(channel) for _, channel in queue)):
                for item, channel in queue:
                    wait = timedelta(seconds=max(pacer.free_in(channel), 1.0))
                    _put_back(deps, item, later + wait, "its channel takes a post a second", report)
                return False
            continue
        queue.remove(free)
        item, channel = free
        made_due = deliver_item(deps, item, now, matrices, report, pacer, marks).follow
        pacer.posted(channel)
        made_due += _claimed_again(deps, marks, now)
        if made_due:
            queue += zip(made_due, destinations(deps, made_due, matrices), strict=True)


def _claimed_again(deps: Deps, marks: SentMarks, now: datetime) -> list[OutboxItem]:
    """The refreshes `marks` put back when it was written (their handoff moved on meanwhile), claimed again."""
    keys = marks.take_again()
    if not keys:
        return []
    with deps.units() as store:
        return store.claim_keys(keys, now, LEASE)


def _put_back(deps: Deps, item: OutboxItem, at: datetime, why: str, report: TickReport) -> None:
    report.deferred += 1
    with deps.units() as store:
        store.put_back(item.key, at, why)


def release(deps: Deps, channel: str) -> list[Exception]:
    """Tandem joined `channel`: post what was held for it, now."""
    with deps.units() as store:
        keys = store.release(channel)
    if keys:
        log.info("joined %s: posting %d held post(s)", channel, len(keys))
    return deliver_now(deps, keys)


def prune(deps: Deps, now: datetime) -> int:
    """Forget handled Slack events and sent posts past their retention; return how many rows went."""
    with deps.units() as store:
        events, posts = store.prune(now - EVENT_RETENTION, now - SENT_RETENTION)
    return events + posts


def tick(deps: Deps, now: datetime | None = None) -> TickReport:
    now = now or deps.clock.now()
    report = TickReport(planned=plan(deps, now))
    deliver(deps, now, report)
    report.pruned = prune(deps, now)
    return report
