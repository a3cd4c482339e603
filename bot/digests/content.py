"""What the digests say, as plain data: the renderer turns it into Slack blocks, tests read it directly.

The daily digest is a morning look at the present: open handoffs by side and age, which have
breached or are close to it, reviews overdue or due in the coming 7 days, who is away today
the overflow requests held for the client's approval, and the matrix's gaps; a morning with
none of that is `quiet` (a request waiting for approval is never quiet: the approver may have
missed its one message in the channel). The weekly digest looks back
at the last complete ISO week (a Monday digest reports the week just ended) and at the eight
weeks up to it, so a trend shows whether SLA attainment is slipping before anyone has to ask.

A handoff counts in the week its SLA was decided: the week a clock first breached (a miss,
whether it is still open or was resolved later), or else the week it was resolved in time
(met). One still open and within target is not decided yet. So 24 open, breached handoffs
count as 24 misses, and no handoff is counted in two weeks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from bot.alerts.sla import thresholds
from bot.calendar import as_utc
from bot.contract.approval import OverflowRequest
from bot.contract.hours import Burn, HoursReport
from bot.handoffs.clocks import attainment, clocks, urgency_key
from bot.handoffs.model import Handoff
from bot.matrix.audit import Gap
from bot.matrix.model import SIDES, Matrix
from bot.ownership.cover import LeavePeriod
from bot.reviews.cadence import ReviewStatus

AGE_BUCKETS = (("<1d", timedelta(days=1)), ("1-3d", timedelta(days=3)), ("3-7d", timedelta(days=7)), (">7d", None))
TREND_WEEKS = 8
BLOCKS = "▁▂▃▄▅▆▇█"
NO_WEEK = "·"  # a week that decided no handoff
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class DailyDigest:
    organisation: str
    now: datetime
    open_by_side: dict[str, int]  # open handoffs by the side expected to act now
    age_buckets: dict[str, int]  # open handoffs by time since opening, on the wall clock
    breached: list[Handoff]  # a running clock past its target, most urgent first
    at_risk: list[Handoff]  # a running clock at or past the first warning, not breached
    reviews_due: list[ReviewStatus]  # due today or within the next 7 days
    reviews_overdue: list[ReviewStatus]
    away: list[LeavePeriod]  # leave overlapping the rest of today
    gaps: list[Gap]
    hours: HoursReport | None = None  # this period's hours against the bank, when the matrix keeps one
    signoff: tuple[Gap, ...] = ()  # of `gaps`: changes unconfirmed for over 3 working days, stale areas
    awaiting: tuple[OverflowRequest, ...] = ()  # overflow held for approval, oldest first
    deciders: tuple[str, ...] = ()  # who can approve or decline them now (leave and cover applied)

    @property
    def quiet(self) -> bool:
        """Nothing to report: no open handoff, no review due or overdue, nobody away, no overflow
        waiting for approval (gaps are standing)."""
        return not (
            any(self.open_by_side.values()) or self.reviews_due or self.reviews_overdue or self.away or self.awaiting
        )


@dataclass(frozen=True)
class WeeklyDigest:
    organisation: str
    week_start: date  # local Monday of the week reported
    attainment_by_side: dict[str, tuple[int, int]]  # (met, total) of handoffs decided that week, by target side
    attainment_by_priority: dict[str, tuple[int, int]]
    median_time_to_respond: timedelta | None  # business time, over handoffs first responded to that week
    trend: list[float | None]  # met / total for each of the last 8 weeks, oldest first; None for a week with none
    sparkline: str
    burn: Burn | None = None  # this period's hours: used, last week's, and the forecast

    @property
    def decided(self) -> int:
        """How many handoffs the reported week decided (resolved in time, or breached)."""
        return sum(total for _, total in self.attainment_by_side.values())


def daily_digest(
    matrix: Matrix,
    open_handoffs: list[Handoff],
    review_statuses: list[ReviewStatus],
    away: list[LeavePeriod],
    gaps: list[Gap],
    now: datetime,
) -> DailyDigest:
    """The daily digest at `now`; resolved handoffs among `open_handoffs` are ignored."""
    now = as_utc(now)
    handoffs = [h for h in open_handoffs if h.is_open]
    by_side = dict.fromkeys(SIDES, 0)
    ages = {name: 0 for name, _ in AGE_BUCKETS}
    breached, at_risk = [], []
    warn = thresholds(matrix)[0] / 100
    for handoff in handoffs:
        by_side[handoff.target_side] += 1
        age = now - as_utc(handoff.opened_at)
        ages[next(name for name, limit in AGE_BUCKETS if limit is None or age < limit)] += 1
        state = clocks(handoff, matrix, now)
        running = [] if state is None else [c for c in (state.respond, state.resolve) if not c.stopped]
        if any(c.breached for c in running):
            breached.append(handoff)
        elif any(c.fraction >= warn for c in running if not c.paused):
            at_risk.append(handoff)

    def urgency(handoff: Handoff) -> tuple:
        return urgency_key(handoff, matrix, now)

    end_of_today = _midnight(matrix, now.astimezone(ZoneInfo(matrix.timezone)).date() + timedelta(days=1))
    return DailyDigest(
        organisation=matrix.organisation,
        now=now,
        open_by_side=by_side,
        age_buckets=ages,
        breached=sorted(breached, key=urgency),
        at_risk=sorted(at_risk, key=urgency),
        reviews_due=[s for s in review_statuses if s.state != "overdue" and s.due_at < now + _WEEK],
        reviews_overdue=[s for s in review_statuses if s.state == "overdue"],
        away=sorted(
            (p for p in away if p.starts_at < end_of_today and p.ends_at > now),
            key=lambda p: (as_utc(p.starts_at), p.person),
        ),
        gaps=list(gaps),
    )


def weekly_digest(matrix: Matrix, handoffs_last_8_weeks: list[Handoff], now: datetime) -> WeeklyDigest:
    """The weekly digest at `now`, reporting the last complete ISO week in the organisation's zone.

    A handoff counts in the week its SLA was decided (see the module's docstring), and "met"
    means both clocks met their targets; handoffs whose priority has no SLA target are not
    measured. `handoffs_last_8_weeks` may hold open handoffs too: those are what breach.
    """
    now = as_utc(now)
    today = now.astimezone(ZoneInfo(matrix.timezone)).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - _WEEK * weeks for weeks in range(TREND_WEEKS, -1, -1)]  # oldest first, 9 bounds
    bounds = [_midnight(matrix, monday) for monday in mondays]
    measured = [(h, attainment(h, matrix, now)) for h in handoffs_last_8_weeks if matrix.sla.target(h.priority)]
    weeks: list[list[tuple[Handoff, bool]]] = [[] for _ in range(TREND_WEEKS)]
    for handoff, _ in measured:
        decided_at, met = _decided(handoff, matrix, now)
        week = _week_of(decided_at, bounds)
        if week is not None:
            weeks[week].append((handoff, met))
    trend = [sum(met for _, met in week) / len(week) if week else None for week in weeks]
    responded: list[timedelta] = [
        result.time_to_respond
        for handoff, result in measured
        if _week_of(handoff.responded_at, bounds) == TREND_WEEKS - 1 and result.time_to_respond is not None
    ]
    return WeeklyDigest(
        organisation=matrix.organisation,
        week_start=mondays[-2],
        attainment_by_side=_tally(weeks[-1], SIDES, lambda h: h.target_side),
        attainment_by_priority=_tally(weeks[-1], tuple(t.priority for t in matrix.sla.targets), lambda h: h.priority),
        median_time_to_respond=timedelta(seconds=median([t.total_seconds() for t in responded])) if responded else None,
        trend=trend,
        sparkline=sparkline(trend),
    )


def _decided(handoff: Handoff, matrix: Matrix, now: datetime) -> tuple[datetime | None, bool]:
    """When the handoff's SLA was decided and whether it was met: its first breach, else its
    resolution in time; (None, False) while it is open and within target."""
    state = clocks(handoff, matrix, now)
    if state is None:
        return None, False
    breaches = [c.due_at for c in (state.respond, state.resolve) if c.breached and c.due_at is not None]
    if breaches:
        return min(breaches), False
    return handoff.resolved_at, handoff.resolved_at is not None


def sparkline(values: list[float | None]) -> str:
    """One block per value on a fixed 0-1 scale (0 is ▁, 1 is █), a middle dot for None.

    Fixed rather than stretched to the values' range, so 96% then 98% reads as nearly level,
    not as a collapse and recovery; values outside 0-1 are clamped.
    """
    top = len(BLOCKS) - 1
    return "".join(NO_WEEK if v is None else BLOCKS[round(min(max(v, 0.0), 1.0) * top)] for v in values)


def _tally(results: list[tuple[Handoff, bool]], keys: tuple[str, ...], key_of) -> dict[str, tuple[int, int]]:
    """(met, total) per key, every key present so the digest can show a zero."""
    counts = {key: [0, 0] for key in keys}
    for handoff, met in results:
        entry = counts.setdefault(key_of(handoff), [0, 0])
        entry[0] += met
        entry[1] += 1
    return {key: (met, total) for key, (met, total) in counts.items()}


def _week_of(at: datetime | None, bounds: list[datetime]) -> int | None:
    """Which of the trend's weeks (0 = oldest) `at` falls in, or None outside them all."""
    if at is None:
        return None
    at = as_utc(at)
    return next((week for week, (start, end) in enumerate(itertools.pairwise(bounds)) if start <= at < end), None)


def _midnight(matrix: Matrix, day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(matrix.timezone)).astimezone(UTC)
