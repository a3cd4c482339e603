"""A plausible history for service reviews, the same for every run: handoffs with their
clocks, review completions, hours, a matrix change and leave, for the example matrix.

`seed_store` writes it through the real store (for the command-line and browser tests);
`handoffs` alone gives the plain values (for the benchmark's 50,000).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.contract.hours import HoursEntry
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix
from bot.ownership.cover import LeavePeriod
from bot.reviews.schedule import parse_schedule
from bot.sla.clock import Pause

PRIORITIES = ("P1", "P2", "P2", "P3", "P3", "P3", "P4")
SUMMARIES = (
    "VPN drops",
    "mailbox full",
    "backup job failed",
    "new starter laptop",
    "suspicious login",
    "printer offline",
)
CHANNEL = "C0SHARED01"


def handoffs(matrix: Matrix, start: datetime, end: datetime, count: int, seed: int = 7) -> Iterator[Handoff]:
    """`count` handoffs opened between `start` and `end`, in order, with ids from 1."""
    rng = random.Random(seed)
    people = {side.key: [p.slack for p in side.people] for side in matrix.sides}
    areas = [a.key for a in matrix.areas]
    days = (end - start).days
    for number, opened in enumerate(sorted(_opening(rng, start, days) for _ in range(count)), start=1):
        side = "internal" if rng.random() < 0.7 else "provider"
        target = "provider" if side == "internal" else "internal"
        respond = timedelta(minutes=int(rng.lognormvariate(3.2, 1.1)))
        resolve = respond + timedelta(minutes=int(rng.lognormvariate(5.3, 1.2)))
        pauses: tuple[Pause, ...] = ()
        if rng.random() < 0.25:
            wait_start = opened + respond + timedelta(minutes=10)
            waited = timedelta(minutes=int(rng.lognormvariate(4.5, 1)))
            pauses = (Pause(wait_start, wait_start + waited),)
            resolve += waited
        still_open = rng.random() < 0.03
        yield Handoff(
            id=number,
            organisation=matrix.organisation,
            kind="overflow" if rng.random() < 0.1 else "handoff",
            summary=f"{rng.choice(SUMMARIES)} ({number})",
            priority=rng.choice(PRIORITIES),
            requester=rng.choice(people[side]),
            requester_side=side,
            target_side=target,
            target=target,
            opened_at=opened,
            area=rng.choice(areas),
            status="in_progress" if still_open else "resolved",
            responded_at=opened + respond,
            resolved_at=None if still_open else opened + resolve,
            resolution=None if still_open else "done",
            pauses=pauses,
            channel=CHANNEL,
            ts=f"{opened.timestamp():.0f}.{number:06d}",
        )


def _opening(rng: random.Random, start: datetime, days: int) -> datetime:
    """Most handoffs are opened on a weekday in office hours; one in five at any hour."""
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if rng.random() < 0.2:
            return day + timedelta(seconds=rng.randrange(86400))
        if day.weekday() < 5:
            return day + timedelta(hours=8, seconds=rng.randrange(9 * 3600))


def seed_store(units, matrix: Matrix, start: datetime, end: datetime, now: datetime, count: int = 600) -> None:
    """The history of [start, end) stored for `matrix`'s organisation, as of `now`."""
    rng = random.Random(11)
    org = matrix.organisation
    provider = [p.slack for p in matrix.side("provider").people]
    with units() as store:
        numbers = [store.add_handoff(h) for h in handoffs(matrix, start, end, count)]
        for review in matrix.reviews:
            for index, due_at in enumerate(parse_schedule(review.schedule).occurrences(start, end, matrix.timezone)):
                if index % 3 == 2:
                    continue  # every third cycle never done
                late = timedelta(days=2) if index % 3 == 1 else timedelta(hours=3)
                store.add_completion(org, review.key, due_at, due_at + late, provider[0], f"evidence: {review.key} log")
        day = start
        while day < end:
            minutes = rng.choice((60, 90, 120, 180))
            store.add_hours(org, HoursEntry(rng.choice(numbers), minutes, provider[1], day + timedelta(hours=11)))
            day += timedelta(days=2)
        store.audit(
            org,
            end - timedelta(days=30),
            matrix.admins()[0].slack,
            "matrix.import",
            org,
            {"changes": ["area backups: after_hours set to rota:ooh", "review restore-test added"]},
        )
        saturday = now + timedelta(days=(5 - now.weekday()) % 7 or 7)
        away = saturday.replace(hour=0, minute=0, second=0, microsecond=0)
        for person in matrix.side("provider").group("soc") or ():
            store.add_leave(org, LeavePeriod(person, away, away + timedelta(days=1)), person, now)


SEEDED = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))  # Q3 and Q4 2026
QUARTER_NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
