"""Which open handoffs a listing asks for: `/tandem sla breached`, `mine`, `internal`, `provider`.

A plain value the store turns into SQL conditions, so a filtered listing reads the same
indexes as the full one and its counts are exact however many handoffs are open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HandoffFilter:
    side: str | None = None  # the side it is with now (target_side)
    person: str | None = None  # assigned to, or opened by, this Slack id
    breached_at: datetime | None = None  # only those with a running clock past due at this instant
