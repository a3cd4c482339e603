"""What a review is computed from: plain values the service reads out of the store.

Handoffs cover this period and the one before (for the comparison); hours run from the
contract's start, since rollover carries from period to period; leave covers the four
weeks after `now`, for the coverage outlook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.contract.hours import HoursEntry
from bot.evidence import AuditRecord
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix
from bot.ownership.cover import LeavePeriod
from bot.report.period import ReviewPeriod
from bot.reviews.cadence import Completed


@dataclass(frozen=True)
class History:
    matrix: Matrix
    period: ReviewPeriod
    now: datetime  # when the review is made: clocks still running are judged as they stand now
    handoffs: tuple[Handoff, ...]  # opened in the previous period or in this one
    completions: Mapping[tuple[str, datetime], Completed] = field(default_factory=dict)  # (review key, due instant)
    hours: tuple[HoursEntry, ...] = ()  # every entry up to the period's end
    changes: tuple[AuditRecord, ...] = ()  # matrix changes and sign-offs (matrix.* audit events) in the period
    leave: tuple[LeavePeriod, ...] = ()  # leave overlapping the four weeks after `now`
    confirmed: Mapping[str, datetime] = field(default_factory=dict)  # area key → last confirmed by both sides
