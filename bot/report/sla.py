"""The handoff figures: SLA attainment, respond and resolve times, where handoffs came from,
who they waited on, and the breaches.

A handoff counts in the month it was opened (local time) and is judged as its clocks stand
at the time of the review: met when both clocks stopped in time, breached when either ran
over, and not yet measured while a clock still runs within target. The side a handoff is
measured against is the one it was first sent to, which a hand back does not change.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.handoffs.clocks import Attainment, attainment
from bot.handoffs.model import Handoff
from bot.matrix.model import PRIORITIES, SIDES, Matrix
from bot.report.period import ReviewPeriod

NO_AREA = "no area"
# Upper bounds of the time distributions, in hours of the clock's own calendar.
BUCKETS: tuple[tuple[str, float], ...] = (
    ("under 15m", 0.25),
    ("15m–1h", 1),
    ("1–4h", 4),
    ("4–8h", 8),
    ("8–24h", 24),
    ("1–3d", 72),
    ("over 3d", float("inf")),
)


@dataclass(frozen=True)
class Rate:
    """Handoffs that met their SLA and that breached it (those still running are not counted)."""

    met: int = 0
    breached: int = 0

    @property
    def measured(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.measured if self.measured else None

    def add(self, outcome: bool | None) -> Rate:
        if outcome is None:
            return self
        return Rate(self.met + outcome, self.breached + (not outcome))


@dataclass(frozen=True)
class Compared:
    """One group's rate in the period and in the one before."""

    key: str
    now: Rate
    before: Rate


@dataclass(frozen=True)
class Times:
    """One clock's times (business time for business-hours targets): median and distribution."""

    clock: str  # respond | resolve
    median: timedelta | None
    count: int
    buckets: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Waiting:
    """Hours the period's handoffs spent with each side: waiting on it as requester, or held by it as target."""

    side: str
    as_requester: timedelta  # paused, waiting on the requester
    as_target: timedelta  # open and not paused, with the side it was sent to
    handoffs: int  # handoffs the side was part of


@dataclass(frozen=True)
class Breach:
    handoff: Handoff
    clocks: tuple[str, ...]  # "respond", "resolve"

    @property
    def link(self) -> str | None:
        """The Slack thread: a permalink any member of the channel can open."""
        if not (self.handoff.channel and self.handoff.ts):
            return None
        return f"https://slack.com/archives/{self.handoff.channel}/p{self.handoff.ts.replace('.', '')}"


@dataclass(frozen=True)
class HandoffFigures:
    opened: int
    previous_opened: int
    overall: Compared
    by_side: tuple[Compared, ...]
    by_priority: tuple[Compared, ...]
    by_month: tuple[tuple[str, Rate], ...]  # month label, rate
    respond: Times
    resolve: Times
    by_area: tuple[tuple[str, dict[str, int]], ...]  # area name, requesting side → count; most first
    waiting: tuple[Waiting, ...]
    breaches: tuple[Breach, ...]


def outcome(result: Attainment) -> bool | None:
    """Met (True), breached (False) or not known yet (None), both clocks together."""
    if result.respond_met is False or result.resolve_met is False:
        return False
    if result.respond_met and result.resolve_met:
        return True
    return None


def handoff_figures(matrix: Matrix, handoffs: Iterable[Handoff], period: ReviewPeriod, now: datetime) -> HandoffFigures:
    zone = ZoneInfo(matrix.timezone)
    previous = period.previous()
    this: list[tuple[Handoff, Attainment]] = []
    before: list[tuple[Handoff, Attainment]] = []
    months: dict[tuple[int, int], tuple[str, list[tuple[Handoff, Attainment]]]] = {
        (m.start.year, m.start.month): (m.label, []) for m in period.months()
    }
    for handoff in handoffs:
        day = handoff.opened_at.astimezone(zone).date()
        if day in period:
            this.append((handoff, attainment(handoff, matrix, now)))
            months[(day.year, day.month)][1].append(this[-1])
        elif day in previous:
            before.append((handoff, attainment(handoff, matrix, now)))
    return HandoffFigures(
        opened=len(this),
        previous_opened=len(before),
        overall=Compared("all", _rate(this), _rate(before)),
        by_side=tuple(_compared(this, before, SIDES, lambda h: h.original_target_side)),
        by_priority=tuple(_compared(this, before, PRIORITIES, lambda h: h.priority)),
        by_month=tuple((label, _rate(judged)) for label, judged in months.values()),
        respond=_times("respond", [r.time_to_respond for _, r in this]),
        resolve=_times("resolve", [r.time_to_resolve for _, r in this]),
        by_area=tuple(_by_area(matrix, [h for h, _ in this])),
        waiting=tuple(_waiting([h for h, _ in this], now)),
        breaches=tuple(_breaches(this)),
    )


def _rate(judged: Iterable[tuple[Handoff, Attainment]]) -> Rate:
    counts = Counter(outcome(result) for _, result in judged)
    return Rate(counts[True], counts[False])


def _compared(this, before, keys: Iterable[str], key_of) -> Iterable[Compared]:
    for key in keys:
        now_rate = _rate((h, r) for h, r in this if key_of(h) == key)
        before_rate = _rate((h, r) for h, r in before if key_of(h) == key)
        if now_rate.measured or before_rate.measured:
            yield Compared(key, now_rate, before_rate)


def _times(clock: str, taken: list[timedelta | None]) -> Times:
    known = [t for t in taken if t is not None]
    counts = [0] * len(BUCKETS)
    for span in known:
        hours = span / timedelta(hours=1)
        counts[next(i for i, (_, upper) in enumerate(BUCKETS) if hours <= upper)] += 1
    median = timedelta(seconds=statistics.median(t.total_seconds() for t in known)) if known else None
    return Times(clock, median, len(known), tuple((label, n) for (label, _), n in zip(BUCKETS, counts, strict=True)))


def _by_area(matrix: Matrix, handoffs: list[Handoff]) -> Iterable[tuple[str, dict[str, int]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for handoff in handoffs:
        area = matrix.area(handoff.area) if handoff.area else None
        counts[area.name if area else (handoff.area or NO_AREA)][handoff.requester_side] += 1
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return ((name, {side: sides[side] for side in SIDES}) for name, sides in ranked)


def _waiting(handoffs: list[Handoff], now: datetime) -> Iterable[Waiting]:
    involved: Counter[str] = Counter()
    held: dict[str, timedelta] = defaultdict(timedelta)
    waited: dict[str, timedelta] = defaultdict(timedelta)
    for handoff in handoffs:
        opened = as_utc(handoff.opened_at)
        end = as_utc(handoff.resolved_at) if handoff.resolved_at else as_utc(now)
        total = max(timedelta(0), end - opened)
        waiting = _paused(handoff, opened, end)
        waited[handoff.requester_side] += waiting
        held[handoff.original_target_side] += total - waiting
        involved[handoff.requester_side] += 1
        if handoff.original_target_side != handoff.requester_side:
            involved[handoff.original_target_side] += 1
    for side in SIDES:
        yield Waiting(side, waited[side], held[side], involved[side])


def _paused(handoff: Handoff, opened: datetime, end: datetime) -> timedelta:
    """Wall-clock time inside the handoff's pauses, merged and clipped to its life."""
    spans = sorted((max(as_utc(p.start), opened), min(as_utc(p.end) if p.end else end, end)) for p in handoff.pauses)
    total, reached = timedelta(0), opened
    for start, stop in spans:
        start = max(start, reached)
        if stop > start:
            total += stop - start
            reached = stop
    return total


def _breaches(this: list[tuple[Handoff, Attainment]]) -> Iterable[Breach]:
    for handoff, result in sorted(this, key=lambda hr: as_utc(hr[0].opened_at)):
        missed = tuple(
            name for name, met in (("respond", result.respond_met), ("resolve", result.resolve_met)) if met is False
        )
        if missed:
            yield Breach(handoff, missed)
