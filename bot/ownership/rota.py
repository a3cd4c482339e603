"""Whose turn it is on a rota at an instant, and the handovers ahead.

Handovers fall on the organisation's wall clock: `every: 1w, at: "mon 09:00"` hands over at
09:00 local each Monday, before and after a clock change alike (a 09:00 that a spring-forward
skips lands just after the gap, as everywhere in Tandem). Turns run in the file's order from
`start` and repeat; before `start` the order runs backwards, so every instant has someone.
Leave and cover are applied by duty (`bot.ownership.duty`), not here: this says whose turn it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.matrix.model import Rota


@dataclass(frozen=True)
class Turn:
    rota: str  # the rota's key
    number: int  # 0 is the turn that begins at the rota's start
    person: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC: the next handover


def handover(rota: Rota, timezone: str, number: int) -> datetime:
    """The instant (UTC) turn `number` begins."""
    zone = ZoneInfo(timezone)
    day = rota.handover.start + timedelta(days=rota.handover.every * number)
    return datetime.combine(day, rota.handover.at, tzinfo=zone).astimezone(UTC)


def _turn(rota: Rota, timezone: str, number: int) -> Turn:
    return Turn(
        rota.key,
        number,
        rota.people[number % len(rota.people)],
        handover(rota, timezone, number),
        handover(rota, timezone, number + 1),
    )


def turn_at(rota: Rota, timezone: str, at: datetime) -> Turn:
    """The turn under way at `at`: it began at or before `at` and ends after it."""
    at = as_utc(at)
    first = handover(rota, timezone, 0)
    number = (at - first) // timedelta(days=rota.handover.every)  # within one of the answer: DST moves it an hour
    while handover(rota, timezone, number) > at:
        number -= 1
    while handover(rota, timezone, number + 1) <= at:
        number += 1
    return _turn(rota, timezone, number)


def turns(rota: Rota, timezone: str, at: datetime, ahead: int = 4) -> list[Turn]:
    """The turn under way at `at` and the next `ahead` ones."""
    now = turn_at(rota, timezone, at)
    return [now, *(_turn(rota, timezone, now.number + k) for k in range(1, ahead + 1))]
