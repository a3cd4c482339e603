"""Leave and cover chains: who stands in for a person at a given instant.

Alice is away and Ben covers; Ben is away too and Cara covers him: work for Alice reaches
Cara. Cover resolves transitively to the first person in the chain who is in. A chain that
would come back to where it started is a loop; booking one is refused (`find_loop`), and
should one ever be read (two bookings racing), it stands for nobody rather than spinning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.calendar import as_utc


@dataclass(frozen=True)
class LeavePeriod:
    """`person` is away from `starts_at` (inclusive) to `ends_at` (exclusive); `cover` stands in."""

    person: str
    starts_at: datetime
    ends_at: datetime
    cover: str | None = None
    id: int | None = None  # the stored row's id, once stored

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


@dataclass(frozen=True)
class StandIn:
    """Someone who would be on duty but is away, and who is reached instead (`by`, or nobody)."""

    period: LeavePeriod
    chain: tuple[str, ...]  # the covers followed, in order, ending with `by` when someone is in
    by: str | None


class Absences:
    """The leave in force at one instant, to ask "who stands in for P now?" many times."""

    def __init__(self, leave: Iterable[LeavePeriod], at: datetime) -> None:
        at = as_utc(at)
        self.at = at
        self.current: dict[str, LeavePeriod] = {}
        for period in leave:
            # of two overlapping bookings, the one naming a cover says more
            known = self.current.get(period.person)
            if period.covers(at) and (known is None or known.cover is None):
                self.current[period.person] = period

    def away(self, person: str) -> LeavePeriod | None:
        return self.current.get(person)

    def chain(self, person: str) -> tuple[str, ...]:
        """The covers followed from `person` (not included) until someone is in, or the chain ends."""
        followed: list[str] = []
        at = person
        while (period := self.current.get(at)) is not None and period.cover is not None:
            if period.cover == person or period.cover in followed:
                return tuple(followed)  # a loop: nobody in it is in, so it reaches nobody
            followed.append(period.cover)
            at = period.cover
        return tuple(followed)

    def stand_in(self, person: str) -> str | None:
        """Who is reached for `person` now: themselves when in, else the first one in along their cover chain."""
        if person not in self.current:
            return person
        chain = self.chain(person)
        return chain[-1] if chain and chain[-1] not in self.current else None

    def explain(self, person: str) -> StandIn | None:
        """For someone away: the chain followed and who it reached; None when they are in."""
        period = self.current.get(person)
        if period is None:
            return None
        return StandIn(period, self.chain(person), self.stand_in(person))

    def reachable(self, people: Iterable[str]) -> tuple[str, ...]:
        """Who to ping for `people` now, in order, each once: anyone away replaced by their stand-in."""
        out: dict[str, None] = {}
        for person in people:
            found = self.stand_in(person)
            if found is not None:
                out.setdefault(found)
        return tuple(out)


def covering(person: str, at: datetime, leave: Iterable[LeavePeriod]) -> str | None:
    """Who covers `person` at `at`: themselves when in, the end of their cover chain, or None."""
    return Absences(leave, at).stand_in(person)


def find_loop(new: LeavePeriod, booked: Iterable[LeavePeriod]) -> tuple[str, ...] | None:
    """The people of a cover loop `new` would close at some instant of its period, in order
    from its person (`A, B, C` for A by B, B by C, C by A), or None.

    Cover only changes when a booking starts or ends, and a loop can only appear when one
    starts, so the instants to check are the start of `new` and every start inside it.
    """
    if new.cover is None:
        return None
    overlapping = [p for p in booked if p.overlaps(new.starts_at, new.ends_at) and (new.id is None or p.id != new.id)]
    instants = sorted({new.starts_at, *(p.starts_at for p in overlapping if new.covers(p.starts_at))})
    for at in instants:
        current = {p.person: p for p in overlapping if p.covers(at) and p.cover is not None}
        current[new.person] = new
        path = [new.person]
        while (period := current.get(path[-1])) is not None and period.cover is not None:
            if period.cover == new.person:
                return tuple(path)
            if period.cover in path:
                break  # a loop not through `new`: not this booking's doing
            path.append(period.cover)
    return None
