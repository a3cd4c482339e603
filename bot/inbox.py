"""Requests acknowledged to Slack before their work is done: recorded first, finished once.

Slack is answered within three seconds and the work (a handoff opened, a button's step, a
form's submission) runs after the acknowledgement. So that a crash in between loses
nothing, the request is recorded (an inbox row: what Slack sent, under the key that makes
it once) before the acknowledgement goes out. The row is finished in the same transaction
as the work it asked for: the first unit of work that writes, while the request is `in
hand`, also finishes its row, and is rolled back (`Settled`) when another process finished
it first. A row left unfinished past its lease (its process died) is run again, once, by
whichever process takes it over.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock

LEASE = timedelta(seconds=60)  # how long a request's work may take before another process takes it over
MAX_ATTEMPTS = 5  # a request whose work keeps failing is run this many times, then left for the logs


@dataclass(frozen=True)
class InboxItem:
    """A recorded request taken over for running again."""

    key: str
    kind: str
    team: str | None
    work: str  # the deferred listener's name
    payload: dict[str, Any]
    attempts: int


@dataclass
class InHand:
    """The request whose work this thread is doing; `settled` once its row is finished."""

    key: str
    clock: Clock
    settled: bool = False


class Settled(Exception):
    """Another process already committed this request's work: this run changes nothing."""


in_hand: ContextVar[InHand | None] = ContextVar("tandem_request_in_hand", default=None)


@contextmanager
def working(key: str, clock: Clock) -> Iterator[InHand]:
    """While the block runs, the first unit of work that commits also finishes `key`'s row."""
    token = in_hand.set(InHand(key, clock))
    try:
        yield in_hand.get()  # type: ignore[misc]
    finally:
        in_hand.reset(token)
