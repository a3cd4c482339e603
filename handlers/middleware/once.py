"""Each Slack event, command, click and submission is handled once, however often it arrives.

Slack redelivers an event it thinks was slow (`X-Slack-Retry-Num`), possibly to another
replica. Before any side effect the event id is claimed in the database; a delivery that
finds a live or finished claim is acknowledged and dropped. A claim left unfinished for
longer than the lease (its replica died mid-way) is taken over, so nothing is lost.
Listeners call `finish_event(context)` when their work is done. An event whose listener
works lazily (`LAZY_EVENTS`: a mention, App Home, Tandem invited) is claimed with its inbox
record, in one transaction before the acknowledgement (`handlers.inbox`); any other here.

Anything else Slack sends once (a command, a click, a shortcut, a submission) is signed, and
its signature stays valid for five minutes: the same signed bytes arriving again are a replay,
refused by claiming the signature. (Two presses are two requests with their own signatures;
the compare-and-set on the handoff's version decides between them.) Every listener such a
request reaches only acknowledges and does its work lazily, so its claim is taken with its
inbox record, in the one transaction before the acknowledgement (`handlers.inbox`), and a
replay starts no work; a test keeps every such listener lazy. A slash command answered in
full in its acknowledgement (`/owner`, `/tandem sla` …) changes and posts nothing, so it
takes no claim: a replay only reads again, and the read stays free of any write.

The claim (with the inbox record) is the one write before the acknowledgement, so it waits
at most `ACK_WAIT` for another process's write lock. A claim that cannot be made in time is
deferred: Slack is answered at once, and the lazy listener takes the claim (`claimed_later`)
before it does anything, waiting as long as the database needs.

The claimed key is left in `context["once_key"]`: the inbox (`handlers.inbox`) records a
request under it before the acknowledgement. A request the inbox runs again after a crash
(`context["inbox_resumed"]`, set by Tandem itself, never by anything Slack sends) was
claimed when it first came, and is not claimed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.clock import Clock
from bot.ports import Store
from bot.services.deps import Deps
from bot.text import clean
from handlers import parsed

LEASE = timedelta(seconds=60)
ACK_WAIT = 1.5  # seconds a claim waits for a write lock: Slack wants its answer within 3
EVENT_ID_LIMIT = 128  # processed_events.event_id
# The events whose listeners only acknowledge and do their work lazily (`handlers.events`; a
# test keeps them so): their claim is taken with their inbox record, as a signed request's is.
LAZY_EVENTS = frozenset({"app_mention", "app_home_opened", "member_joined_channel"})
log = logging.getLogger(__name__)
Claim = tuple[str, str]  # ("event" or "request", key)


class HandleEventsOnce(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        body, context = req.body, req.context
        raw = body.get("event_id") if body.get("type") == "event_callback" else None
        # Claimed as a key: kept to what the column holds, without the NUL PostgreSQL refuses.
        event_id = clean(raw, EVENT_ID_LIMIT) if isinstance(raw, str) else None
        if not event_id:
            return next()
        context["event_id"] = context["once_key"] = event_id
        if context.get("inbox_resumed"):
            return next()
        event = body.get("event")
        if isinstance(event, dict) and event.get("type") in LAZY_EVENTS:
            context["claim_on_record"] = ("event", event_id)  # taken by `InboxRunner.start`
            return next()
        claimed = _claim(context, ("event", event_id))
        if not claimed:
            log.info("event %s already handled or in hand; delivery dropped", event_id)
            return BoltResponse(status=200, body="")
        return next()


class HandleRequestsOnce(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        body = req.body
        if body.get("type") == "event_callback" or parsed.reads_only(req.context):
            return next()
        signatures = req.headers.get("x-slack-signature") or []
        key = f"signed:{signatures[0]}" if signatures else None
        if not key or req.context.get("inbox_resumed"):
            return next()
        req.context["once_key"] = key = clean(key, EVENT_ID_LIMIT)
        req.context["claim_on_record"] = ("request", key)  # taken by `InboxRunner.start`
        return next()


def take(store: Store, clock: Clock, claim: Claim) -> bool:
    """Take `claim` in this unit of work: False when another delivery holds it."""
    kind, key = claim
    now = clock.now()
    return store.claim_event(key, now, LEASE) if kind == "event" else store.claim_request(key, now)


def _take(deps: Deps, claim: Claim, timeout: float | None) -> bool:
    with deps.units(timeout=timeout) as store:
        return take(store, deps.clock, claim)


def _claim(context: dict[str, Any], claim: Claim) -> bool:
    """Take the claim before the acknowledgement; when the database is too busy to take it in
    time, leave it for the listener (True: go on)."""
    try:
        return _take(context["tandem"], claim, ACK_WAIT)
    except Exception as error:  # noqa: BLE001 - a database that cannot take the claim now
        log.warning("%s %s claimed after the acknowledgement, the database is busy: %s", *claim, type(error).__name__)
        context["claim_later"] = claim
        return True


def claimed_later(context: dict[str, Any]) -> bool:
    """In a lazy listener: take a claim deferred past the acknowledgement. False when another
    delivery got it first, and the listener must do nothing."""
    claim = context.get("claim_later")
    return claim is None or _take(context["tandem"], tuple(claim), None)


def finish_event(context: dict[str, Any]) -> None:
    event_id = context.get("event_id")
    if event_id:
        deps: Deps = context["tandem"]
        with deps.units() as store:
            store.finish_event(event_id, deps.clock.now())
