"""Scheduled work as the scheduler sees it: a timer that fell due, and a claimed outbox item.

The store hands these out and takes them back; they carry no rows and no SQL, so the tick's
logic is plain Python over plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DueTimer:
    """A review's or an organisation's digest timer whose `next_at` has come."""

    id: int
    organisation: str
    kind: str  # "review" | "digest"
    subject: str  # the review key, or "digest"
    since: datetime  # when it was first scheduled: nothing due before then is posted


@dataclass(frozen=True)
class OutboxItem:
    """One occurrence claimed for posting, under a lease."""

    key: str
    organisation: str
    kind: str  # "sla" | "review" | "digest" | "signoff"
    payload: dict[str, Any]
    attempts: int
    resend: bool  # an earlier delivery was leased and never finished: check before posting again
