"""Hours against the bank, matrix changes with their sign-offs, and the matrix's weak spots now.

Hours use the contract's own arithmetic (`bot.contract.bank`), so the review shows the same
statement as `/tandem hours`. An area is stale when both sides have not confirmed it within
the contract's re-confirmation interval (90 days unless the contract says otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.contract.bank import Statement, period_of, statements
from bot.contract.hours import HoursEntry, used_by_period
from bot.contract.model import DEFAULT_REVIEW
from bot.evidence import AuditRecord
from bot.matrix.audit import Gap, find_gaps
from bot.matrix.model import Area, Matrix
from bot.report.period import ReviewPeriod


@dataclass(frozen=True)
class HoursFigures:
    used: int  # minutes logged in the period
    by_month: tuple[tuple[str, int], ...]  # month label, minutes
    statements: tuple[Statement, ...]  # the bank's periods the review touches; empty without a bank


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    kind: str  # matrix.import, or a sign-off's kind
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Stale:
    area: Area
    confirmed: datetime | None  # last confirmed by both sides; None: never


@dataclass(frozen=True)
class MatrixFigures:
    changes: tuple[Change, ...]
    gaps: tuple[Gap, ...]
    stale: tuple[Stale, ...]
    review_every: str  # "90 days"


def hours_figures(matrix: Matrix, entries: Iterable[HoursEntry], period: ReviewPeriod) -> HoursFigures:
    entries = list(entries)
    zone = ZoneInfo(matrix.timezone)
    months = period.months()
    by_month = {month.label: 0 for month in months}
    for entry in entries:
        day = as_utc(entry.at).astimezone(zone).date()
        month = next((m for m in months if day in m), None)
        if month is not None:
            by_month[month.label] += entry.minutes
    contract = matrix.contract
    bank = contract.hours if contract else None
    found: list[Statement] = []
    if bank is not None and contract is not None:
        used = used_by_period(entries, bank.per, matrix.timezone)
        first, last = period_of(period.start, bank.per), period_of(period.end - timedelta(days=1), bank.per)
        found = statements(bank, used, first, last, contract.start)
    by_month = {label: max(0, minutes) for label, minutes in by_month.items()}
    return HoursFigures(sum(by_month.values()), tuple(by_month.items()), tuple(found))


def matrix_figures(
    matrix: Matrix, events: Iterable[AuditRecord], confirmed: Mapping[str, datetime], now: datetime
) -> MatrixFigures:
    changes = tuple(
        Change(e.at, e.actor, e.kind, tuple(str(line) for line in e.detail.get("changes", ())) or (e.subject,))
        for e in sorted(events, key=lambda e: (as_utc(e.at), e.seq))
        if e.kind.startswith("matrix.")
    )
    every = matrix.contract.review if matrix.contract else DEFAULT_REVIEW
    oldest = as_utc(now) - every.to_timedelta()
    stale = tuple(
        Stale(area, confirmed.get(area.key))
        for area in matrix.areas
        if area.key not in confirmed or as_utc(confirmed[area.key]) < oldest
    )
    return MatrixFigures(changes, tuple(find_gaps(matrix)), stale, every.describe())
