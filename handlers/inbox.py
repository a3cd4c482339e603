"""Nothing acknowledged is lost: Bolt's deferred listeners, recorded before Slack's answer.

Bolt starts a lazy listener before it hands the acknowledgement back to the HTTP server, so
`InboxRunner.start` is the last moment before Slack hears "done": it records the request
there (`bot.inbox`), in one short transaction that waits `ACK_WAIT` at most for a write
lock and also takes a signed request's once claim (`handlers.middleware.once`): a replay
is dropped there, its work never started. When the database is too busy for that, the
claim is taken and the request recorded by the listener itself before it does anything.

The listener then runs with its request in hand, so the unit of work that commits its
change finishes the row in the same transaction; a listener that wrote nothing finishes it
when it returns. `Resumer` runs again, through the same listener, every request whose row
stayed unfinished past its lease: a process that died between the acknowledgement and the
commit, found at start-up or later by any replica.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.util.utils import get_name_for_callable

from bot.errors import Unwritable
from bot.inbox import InboxItem, working
from bot.services.deps import Deps
from handlers.middleware.once import ACK_WAIT, LEASE, Claim, claimed_later

log = logging.getLogger(__name__)
BATCH = 20  # requests taken over at a time


class InboxRunner(LazyListenerRunner):
    """Bolt's thread runner for lazy listeners, with each request recorded before its
    acknowledgement and finished with its work. `hold`: seconds each new request's work waits
    before it starts, a fault to inject for crash tests (0 otherwise)."""

    def __init__(self, logger: logging.Logger, executor: Executor, lease: timedelta, hold: float = 0) -> None:
        self.logger, self.executor, self.lease, self.hold = logger, executor, lease, hold

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        context = request.context
        if context.get("once_key") and "claim_later" not in context:
            recorded = self._record(function, request, ACK_WAIT, context.pop("claim_on_record", None))
            if recorded is None:
                log.info("%s replayed; dropped", context["once_key"])
                return
            context["inbox_recorded"] = recorded
        self.executor.submit(self._deferred, function, request)

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        """A request taken over from the inbox (`Resumer`), run here and now."""
        self._work(function, request, request.context["inbox_resumed"])

    def _deferred(self, function: Callable[..., None], request: BoltRequest) -> None:
        context = request.context
        try:
            if not claimed_later(context):
                return  # a replay, or a delivery another replica took while this one waited
        except Unwritable:
            pass  # nothing can be claimed or done now: the work meets the same refusal, and says so
        except Exception:
            log.exception("request %s could not be claimed; dropped", context.get("once_key"))
            return
        context.pop("claim_later", None)
        key = context.get("once_key")
        if key and not context.get("inbox_recorded") and not self._record(function, request, None):
            key = None  # the database takes nothing now: the work goes on, unrecorded
        if self.hold:
            time.sleep(self.hold)
        self._work(function, request, key)

    def _work(self, function: Callable[..., None], request: BoltRequest, key: str | None) -> None:
        run = build_runnable_function(func=function, logger=self.logger, request=request)
        if key is None:
            run()
            return
        deps: Deps = request.context["tandem"]
        with working(key, deps.clock) as work:
            run()
        if not work.settled:  # it wrote nothing (an answer, a refusal): done once it was said
            try:
                with deps.units() as store:
                    store.finish_request(key, deps.clock.now())
            except Exception:
                log.exception("request %s done but not marked done; it may be run again", key)

    def _record(
        self, function: Callable[..., None], request: BoltRequest, timeout: float | None, claim: Claim | None = None
    ) -> bool | None:
        """Record the request, taking `claim` first in the same transaction: True when recorded,
        None when the claim was another delivery's (a replay), False when the database took
        nothing (the claim, if any, is then left for the listener)."""
        body, context = request.body, request.context
        item = InboxItem(
            key=context["once_key"],
            kind=str(body.get("type") or ("command" if body.get("command") else "request"))[:32],
            team=context.team_id,
            work=get_name_for_callable(function),
            payload=body,
            attempts=1,
        )
        deps: Deps = context["tandem"]
        try:
            if claim is not None:  # one round trip on PostgreSQL (`storage.intake`)
                return deps.units.record_first(item, claim, deps.clock.now(), LEASE, self.lease, timeout) or None
            with deps.units(timeout=timeout) as store:
                store.record_request(item, deps.clock.now(), self.lease)
            return True
        except Exception as error:  # noqa: BLE001 - a busy or unwritable database: recorded later, or not at all
            log.warning("request %s not recorded before its acknowledgement: %s", item.key, type(error).__name__)
            if claim is not None:
                context["claim_later"] = claim
            return False


class Resumer:
    """Runs again every request left unfinished past its lease, in a thread of its own: at
    start-up, and then whenever the soonest lease runs out (at least once a lease)."""

    def __init__(self, app: App, deps: Deps, lease: timedelta) -> None:
        self.app, self.deps, self.lease = app, deps, lease
        self.stop = threading.Event()

    def start(self) -> Resumer:
        threading.Thread(target=self._loop, name="tandem-inbox", daemon=True).start()
        return self

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                wait = self.resume()
            except Exception:
                log.exception("could not take over unfinished requests; trying again in %s", self.lease)
                wait = self.lease
            self.stop.wait(max(wait.total_seconds(), 0.2))

    def resume(self) -> timedelta:
        """Run the requests whose lease ran out; how long until the next one's does."""
        deps = self.deps
        with deps.units(read_only=True) as store:
            soonest = store.next_request_lease()
        if soonest is not None and soonest < deps.clock.now():
            with deps.units() as store:
                taken = store.claim_requests(deps.clock.now(), self.lease, BATCH)
            for item in taken:
                self._again(item)
            with deps.units(read_only=True) as store:
                soonest = store.next_request_lease()
        if soonest is None:
            return self.lease
        return min(self.lease, soonest - deps.clock.now())

    def _again(self, item: InboxItem) -> None:
        log.info(
            "running %s again (%s, try %d): its process stopped before it was done", item.key, item.kind, item.attempts
        )
        headers: dict[str, str | Sequence[str]] = {
            "x-slack-bolt-lazy-only": "1",
            "x-slack-bolt-lazy-function-name": item.work,
        }
        context: dict[str, Any] = {"inbox_resumed": item.key}
        # Socket Mode's request shape: a body already parsed, trusted without a signature,
        # which is right for what Tandem itself recorded after checking the signature.
        self.app.dispatch(BoltRequest(body=item.payload, headers=headers, context=context, mode="socket_mode"))
