"""Each Slack event, command, click and submission is handled once, however often it arrives.

Slack redelivers an event it thinks was slow (`X-Slack-Retry-Num`), possibly to another
replica. Before any side effect the event id is claimed in the database; a delivery that
finds a live or finished claim is acknowledged and dropped. A claim left unfinished for
longer than the lease (its replica died mid-way) is taken over, so nothing is lost.
Listeners call `finish_event(context)` when their work is done.

Anything else Slack sends once: a command, a click, a shortcut or a submission carries a
`trigger_id` Slack never gives out twice, and the request's signature stays valid for five
minutes, so a replay of the same signed bytes is refused by claiming the trigger (or the
signature) first.

The claim is the one write before the acknowledgement, so it waits at most `ACK_WAIT` for
another process's write lock: an event it cannot claim in time is answered 503, which Slack
delivers again later; any other request goes ahead unclaimed rather than unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services.deps import Deps
from bot.text import clean

LEASE = timedelta(seconds=60)
ACK_WAIT = 1.5  # seconds a claim waits for a write lock: Slack wants its answer within 3
EVENT_ID_LIMIT = 128  # processed_events.event_id
log = logging.getLogger(__name__)


class HandleEventsOnce(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        body, context = req.body, req.context
        raw = body.get("event_id") if body.get("type") == "event_callback" else None
        # Claimed as a key: kept to what the column holds, without the NUL PostgreSQL refuses.
        event_id = clean(raw, EVENT_ID_LIMIT) if isinstance(raw, str) else None
        if not event_id:
            return next()
        deps: Deps = context["tandem"]
        try:
            with deps.units(timeout=ACK_WAIT) as store:
                claimed = store.claim_event(event_id, deps.clock.now(), LEASE)
        except Exception as error:  # noqa: BLE001 - a database that cannot take the claim now
            log.warning("event %s deferred, the database is busy: %s", event_id, type(error).__name__)
            return BoltResponse(status=503, body="")
        if not claimed:
            log.info("event %s already handled or in hand; delivery dropped", event_id)
            return BoltResponse(status=200, body="")
        context["event_id"] = event_id
        return next()


class HandleRequestsOnce(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        body = req.body
        if body.get("type") == "event_callback":
            return next()
        signatures = req.headers.get("x-slack-signature") or []
        trigger, signature = body.get("trigger_id"), signatures[0] if signatures else None
        key = f"trigger:{trigger}" if isinstance(trigger, str) and trigger else signature and f"signed:{signature}"
        if not key:
            return next()
        deps: Deps = req.context["tandem"]
        try:
            with deps.units(timeout=ACK_WAIT) as store:
                first = store.claim_request(clean(key, EVENT_ID_LIMIT), deps.clock.now())
        except Exception as error:  # noqa: BLE001 - answering matters more than refusing a replay
            log.warning("request not claimed, the database is busy: %s", type(error).__name__)
            return next()
        if not first:
            log.info("%s replayed; dropped", key)
            return BoltResponse(status=200, body="")
        return next()


def finish_event(context: dict[str, Any]) -> None:
    event_id = context.get("event_id")
    if event_id:
        deps: Deps = context["tandem"]
        with deps.units() as store:
            store.finish_event(event_id, deps.clock.now())
