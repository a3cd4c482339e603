"""The coverage outlook: the windows in the coming weeks when an area that needs cover has
nobody on duty, from the business hours, holidays, rotas and the leave already booked.

Every area needs someone during business hours; an area with `coverage: 24x7` needs someone
at every hour. Duty is asked exactly as a handoff would ask it (`bot.ownership.duty`) on
the hour and at every start and end of leave, so a window opens and closes where the
answer changes; windows are as exact as those instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.calendar import as_utc
from bot.matrix.model import CLOCK_24X7, Area, Matrix
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import business_calendar, on_duty

AHEAD = timedelta(weeks=4)
REASONS = {"no_after_hours": "nobody is named for after hours", "all_away": "everyone on duty is on leave"}
_STEP = timedelta(hours=1)


@dataclass(frozen=True)
class Uncovered:
    area: Area
    start: datetime  # UTC
    end: datetime  # UTC
    reason: str  # duty's reason: no_after_hours | all_away

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def coverage_outlook(
    matrix: Matrix, leave: tuple[LeavePeriod, ...], now: datetime, ahead: timedelta = AHEAD
) -> tuple[Uncovered, ...]:
    """Every window in [now, now + ahead) when an area that needs cover has nobody on duty, by start."""
    start = as_utc(now)
    end = start + ahead
    calendar = business_calendar(matrix)
    hour = start.replace(minute=0, second=0, microsecond=0)
    points = {start} | {hour + i * _STEP for i in range(1, int(ahead / _STEP) + 1)}
    points |= {as_utc(at) for period in leave for at in (period.starts_at, period.ends_at)}
    instants = sorted(at for at in points if start <= at < end)
    in_hours = {at: calendar.is_open(at) for at in instants}
    found: list[Uncovered] = []
    for area in matrix.areas:
        window: tuple[datetime, str] | None = None
        for at in instants:
            needed = in_hours[at] or area.coverage == CLOCK_24X7
            reason = None
            if needed:
                duty = on_duty(matrix, area, at, leave)
                reason = None if duty.people else (duty.reason or "nobody")
            if window is not None and reason != window[1]:
                found.append(Uncovered(area, window[0], at, window[1]))
                window = None
            if reason is not None and window is None:
                window = (at, reason)
        if window is not None:
            found.append(Uncovered(area, window[0], end, window[1]))
    return tuple(sorted(found, key=lambda u: (u.start, u.area.key)))
