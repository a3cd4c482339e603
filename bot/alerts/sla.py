"""SLA warnings and breaches: which threshold each running clock has reached, and when the next one falls.

A clock warns at each `warn_at` percent of its target and breaches at 100%. After downtime
only the highest threshold reached is returned per clock, so a tick that missed the 75% and
90% warnings of a breached clock posts just the breach: a stale warning beside a breach would
only be noise. Lower stages are never returned once a higher one is reached, and each alert's
key is stable, so claiming it in the database posts it once however many replicas ask.

The breach is due the instant the target is used up (fraction 1.0). `ClockState.breached`
turns true a moment later (a reply at exactly the due time still meets the target), but a
tick can only run after the due instant anyway, so the two agree whenever anyone looks.

A paused resolve clock yields nothing and no next instant: nobody knows when it will resume,
and resuming is a change of state, after which the caller asks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.calendar import Calendar, as_utc
from bot.handoffs.clocks import clocks
from bot.handoffs.model import Handoff
from bot.matrix.durations import Duration
from bot.matrix.model import Matrix
from bot.ownership.duty import sla_calendar
from bot.sla.clock import Pause, instant_at_fraction

BREACH = 100


@dataclass(frozen=True)
class SlaAlert:
    key: str  # f"sla:{handoff_id}:{clock}:{stage}", claimed once in the database
    handoff_id: int
    clock: str  # "respond" | "resolve"
    stage: str  # a warn_at percent as text ("75", "90") or "breach"
    percent: int  # 75, 90 ... or 100 for the breach
    breach: bool


@dataclass(frozen=True)
class _Running:
    """One clock still counting: the calendar, target and pauses that place its thresholds."""

    name: str
    calendar: Calendar
    opened_at: datetime
    target: Duration
    pauses: tuple[Pause, ...]

    def reached_at(self, percent: int) -> datetime | None:
        return instant_at_fraction(self.calendar, self.opened_at, self.target, percent / 100, self.pauses)


def thresholds(matrix: Matrix) -> tuple[int, ...]:
    """The percents that post something, ascending: the warnings, then the breach at 100."""
    return (*sorted({p for p in matrix.sla.warn_at if p < BREACH}), BREACH)


def due_alerts(handoff: Handoff, matrix: Matrix, now: datetime) -> list[SlaAlert]:
    """For each running clock, the alert for the highest threshold it has reached at `now`."""
    now = as_utc(now)
    alerts = []
    for clock in _running(handoff, matrix, now):
        reached = [p for p in thresholds(matrix) if (at := clock.reached_at(p)) is not None and at <= now]
        if reached:
            alerts.append(_alert(handoff, clock.name, reached[-1]))
    return alerts


def next_alert_at(handoff: Handoff, matrix: Matrix, after: datetime) -> datetime | None:
    """The earliest instant after `after` at which a running clock reaches a threshold it had not reached.

    None when nothing more can fire without a change of state: resolved, every threshold
    passed, no SLA target, or the only clock left is paused.
    """
    after = as_utc(after)
    upcoming = [
        at
        for clock in _running(handoff, matrix, after)
        for p in thresholds(matrix)
        if (at := clock.reached_at(p)) is not None and at > after
    ]
    return min(upcoming, default=None)


def _running(handoff: Handoff, matrix: Matrix, now: datetime) -> list[_Running]:
    """The clocks that can still alert at `now`: not stopped, and for resolve, not paused."""
    state = clocks(handoff, matrix, now)
    if state is None or not handoff.is_open:
        return []
    calendar = sla_calendar(matrix, state.target)
    running = []
    if not state.respond.stopped:
        running.append(_Running("respond", calendar, handoff.opened_at, state.target.respond, ()))
    if not state.resolve.stopped and not state.resolve.paused:
        running.append(_Running("resolve", calendar, handoff.opened_at, state.target.resolve, handoff.pauses))
    return running


def _alert(handoff: Handoff, clock: str, percent: int) -> SlaAlert:
    if handoff.id is None:
        raise ValueError("SLA alerts are keyed by handoff id: store the handoff before asking what is due")
    stage = "breach" if percent == BREACH else str(percent)
    return SlaAlert(f"sla:{handoff.id}:{clock}:{stage}", handoff.id, clock, stage, percent, percent == BREACH)
