"""Each Slack event is handled once, however often Slack delivers it.

Slack redelivers an event it thinks was slow (`X-Slack-Retry-Num`), possibly to another
replica. Before any side effect the event id is claimed in the database; a delivery that
finds a live or finished claim is acknowledged and dropped. A claim left unfinished for
longer than the lease (its replica died mid-way) is taken over, so nothing is lost.
Listeners call `finish_event(context)` when their work is done.
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
        with deps.units() as store:
            claimed = store.claim_event(event_id, deps.clock.now(), LEASE)
        if not claimed:
            log.info("event %s already handled or in hand; delivery dropped", event_id)
            return BoltResponse(status=200, body="")
        context["event_id"] = event_id
        return next()


def finish_event(context: dict[str, Any]) -> None:
    event_id = context.get("event_id")
    if event_id:
        deps: Deps = context["tandem"]
        with deps.units() as store:
            store.finish_event(event_id, deps.clock.now())
