"""Bulk data for the benchmarks: plausible handoffs (a realistic mix, or a window falling due at a
chosen instant) and sent-outbox history, for one organisation.

The services would take far too long to create 100,000 handoffs, so the rows are built here and
inserted with `bench.databases.insert_rows`. What makes them trustworthy is that `due_at` and
`alert_at` come from the real clock code (`bot.handoffs.clocks.next_due`,
`bot.alerts.sla.next_alert_at`), memoised: opening times are on a grid, so many handoffs share
one computation and breached handoffs really are due in the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)  # a Tuesday morning, inside business hours: "now" of the data
CHANNEL = "C0SHARED01"

PRIORITIES = (("P1", 0.03), ("P2", 0.20), ("P3", 0.50), ("P4", 0.27))
PROBLEMS = (
    "drops every hour",
    "is slow since this morning",
    "asks for a password again",
    "shows an error",
    "needs access for a new starter",
    "stopped syncing",
    "needs a licence",
    "is full",
    "keeps rebooting",
    "flags a suspicious login",
    "needs replacing",
    "failed last night",
    "is not reachable from site B",
    "needs a config change",
    "has an expired certificate",
)


# -- handoff rows ---------------------------------------------------------------------------------------------
def _grid(at: datetime, now: datetime | None = None) -> datetime:
    """`at` rounded down to a grid (UTC): 10 minutes, or coarser the further it is before `now`.

    Handoffs on one grid point share one clock computation, which keeps generating 100,000 fast.
    """
    at = at.astimezone(UTC)
    age = (now - at) if now is not None else timedelta(0)
    step = 10 if age < timedelta(days=1) else 30 if age < timedelta(days=7) else 120
    minutes = at.hour * 60 + at.minute
    return at.replace(second=0, microsecond=0) - timedelta(minutes=minutes % step)


@dataclass
class HandoffFactory:
    """Plausible handoff rows for one organisation, with `due_at`/`alert_at` from the real clock code."""

    matrix: object
    org_id: int
    now: datetime
    rng: random.Random
    _cache: dict = field(default_factory=dict)
    computed: int = 0

    def __post_init__(self) -> None:
        m = self.matrix
        self.now = self.now.astimezone(UTC)
        self.people = {side.key: [p.slack for p in side.people] for side in m.sides}
        self.groups = {side.key: [f"{side.key}.{name}" for name, _ in side.groups] for side in m.sides}
        self.areas = [a.key for a in m.areas]
        self.aliases = [alias for a in m.areas for alias in (a.aliases or (a.name,))]
        self.priorities = [p for p, _ in PRIORITIES]
        self.weights = [w for _, w in PRIORITIES]

    # -- who and what
    def _parties(self, overflow: bool) -> dict:
        rng = self.rng
        if overflow:
            requester_side, target_side, target = "internal", "provider", "provider"
        else:
            requester_side = "internal" if rng.random() < 0.65 else "provider"
            target_side = "provider" if requester_side == "internal" else "internal"
            roll = rng.random()
            if roll < 0.5 or (roll < 0.65 and not self.groups[target_side]):
                target = target_side
            elif roll < 0.65:
                target = rng.choice(self.groups[target_side])
            else:
                target = rng.choice(self.people[target_side])
        return {
            "requester": rng.choice(self.people[requester_side]),
            "requester_side": requester_side,
            "target_side": target_side,
            "target": target,
        }

    def _base(self, opened_at: datetime, priority: str | None = None) -> dict:
        rng = self.rng
        overflow = rng.random() < 0.12
        parties = self._parties(overflow)
        priority = priority or rng.choices(self.priorities, self.weights)[0]
        summary = f"{rng.choice(self.aliases).capitalize()} {rng.choice(PROBLEMS)}"
        return {
            "organisation_id": self.org_id,
            "kind": "overflow" if overflow else "handoff",
            "summary": summary,
            "details": "" if rng.random() < 0.7 else "Seen by several people; screenshot in the thread.",
            "priority": priority,
            **parties,
            "area_key": rng.choice(self.areas) if rng.random() < 0.7 else None,
            "assignee": None,
            "status": "open",
            "opened_at": opened_at,
            "responded_at": None,
            "resolved_at": None,
            "resolution": None,
            "pauses": [],
            "channel": CHANNEL,
            "ts": f"{opened_at.timestamp():.0f}.{rng.randrange(10**6):06d}",
            "due_at": None,
            "alert_at": None,
        }

    def _assignee(self, row: dict) -> str:
        target = row["target"]
        return target if target in self.matrix.people else self.rng.choice(self.people[row["target_side"]])

    def resolved(self) -> dict:
        rng = self.rng
        opened = _grid(self.now - timedelta(days=rng.uniform(1, 365)))
        row = self._base(opened)
        responded = opened + timedelta(minutes=rng.choice((2, 5, 10, 20, 45, 90, 180, 300)))
        resolved = min(responded + timedelta(minutes=rng.randrange(20, 60 * 24 * 7)), self.now - timedelta(minutes=1))
        pauses = []
        if rng.random() < 0.15:
            start = responded + (resolved - responded) * rng.uniform(0.1, 0.5)
            pauses = [[start.isoformat(), (start + (resolved - start) * rng.uniform(0.2, 0.9)).isoformat()]]
        row.update(
            assignee=self._assignee(row),
            status="resolved",
            responded_at=responded,
            resolved_at=resolved,
            resolution=rng.choice(
                (
                    "Fixed.",
                    "Replaced the unit.",
                    "Config corrected; monitored for a day.",
                    "Duplicate of an earlier handoff.",
                    "User error; explained.",
                )
            ),
            pauses=pauses,
        )
        return row

    def open(
        self,
        opened_at: datetime | None = None,
        state: str | None = None,
        priority: str | None = None,
        responded_after: timedelta | None = None,
    ) -> dict:
        """An open handoff; random age and state unless given. `due_at`/`alert_at` as of `self.now`."""
        rng = self.rng
        if opened_at is None:
            roll = rng.random()
            days = rng.uniform(0, 1) if roll < 0.6 else rng.uniform(1, 7) if roll < 0.9 else rng.uniform(7, 60)
            opened_at = _grid(self.now - timedelta(days=days), self.now)
        row = self._base(opened_at, priority)
        age = self.now - opened_at
        if state is None:
            answered = rng.random() < (0.35 if age < timedelta(hours=4) else 0.92)
            state = (
                rng.choices(("acknowledged", "in_progress", "waiting"), (0.3, 0.55, 0.15))[0] if answered else "open"
            )
        if state != "open":
            delay = responded_after or timedelta(minutes=rng.choice((5, 10, 15, 30, 60, 120)))
            responded = min(opened_at + delay, self.now)
            row.update(status=state, responded_at=responded, assignee=self._assignee(row))
            if state == "waiting":
                start = max(responded, self.now - timedelta(hours=rng.choice((1, 3, 24, 72))))
                row["pauses"] = [[start.isoformat(), None]]
        row["due_at"], row["alert_at"] = self.instants(row)
        return row

    # -- the clocks, memoised
    def handoff(self, row: dict, hid: int = 1):
        from bot.handoffs.model import Handoff
        from storage.handoff_repo import _pauses

        return Handoff(
            id=hid,
            organisation=self.matrix.organisation,
            kind=row["kind"],
            summary=row["summary"],
            priority=row["priority"],
            requester=row["requester"],
            requester_side=row["requester_side"],
            target_side=row["target_side"],
            target=row["target"],
            opened_at=row["opened_at"],
            area=row["area_key"],
            assignee=row["assignee"],
            status=row["status"],
            responded_at=row["responded_at"],
            resolved_at=row["resolved_at"],
            pauses=_pauses(row["pauses"]),
            channel=row["channel"],
            ts=row["ts"],
        )

    def instants(self, row: dict, at: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        """(next_due, next_alert_at) of the row at `at` (default `self.now`), as the services store them."""
        from bot.alerts.sla import next_alert_at
        from bot.handoffs.clocks import next_due

        at = at or self.now
        # Once answered, the respond clock is stopped and neither result depends on when it was answered.
        answered = row["responded_at"] is not None and row["responded_at"] <= at
        key = (
            row["priority"],
            row["opened_at"],
            answered or row["responded_at"],
            row["status"] == "resolved",
            tuple(tuple(p) for p in row["pauses"]),
            at,
        )
        found = self._cache.get(key)
        if found is None:
            handoff = self.handoff(row)
            found = self._cache[key] = (next_due(handoff, self.matrix, at), next_alert_at(handoff, self.matrix, at))
            self.computed += 1
        return found


def to_utc(rows: list[dict]) -> None:
    """SQLite stores the wall time of whatever zone a datetime has: store UTC, as the services do."""
    for row in rows:
        for name in ("opened_at", "responded_at", "resolved_at", "due_at", "alert_at"):
            if row[name] is not None:
                row[name] = row[name].astimezone(UTC)


def generate_handoffs(factory: HandoffFactory, total: int, open_share: float) -> list[dict]:
    """`total` handoffs, `open_share` of them open and the rest resolved, in UTC and in opening order."""
    rng = factory.rng
    open_count = round(total * open_share)
    rows = [factory.open() for _ in range(open_count)] + [factory.resolved() for _ in range(total - open_count)]
    rows.sort(key=lambda r: (r["opened_at"], rng.random()))  # ids in opening order, as in production
    to_utc(rows)
    return rows


# -- the scheduler's data: a window of due alerts, a sent outbox ---------------------------------------------
def _solve_opened(
    calendar, target, fraction: float, lo_at: datetime, hi_at: datetime
) -> tuple[datetime, datetime] | None:
    """The range of opening instants (minute grid) whose `fraction` threshold falls in (lo_at, hi_at]."""
    from bot.sla.clock import instant_at_fraction

    def reached(minutes_before: int) -> datetime:
        return instant_at_fraction(calendar, lo_at - timedelta(minutes=minutes_before), target, fraction)

    def first(predicate, lo: int, hi: int) -> int:  # smallest m in [lo, hi] with predicate(m), hi if none
        while lo < hi:
            mid = (lo + hi) // 2
            if predicate(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    horizon = 60 * 24 * 60  # look back 60 days at most
    # reached(m) decreases as m (minutes before T0) grows: earliest m with reached <= hi_at, last with > lo_at
    m_late = first(lambda m: reached(m) <= hi_at, 0, horizon)
    m_early = first(lambda m: reached(m) <= lo_at, 0, horizon) - 1
    if m_early < m_late:
        return None
    return lo_at - timedelta(minutes=m_early), lo_at - timedelta(minutes=m_late)


def due_handoffs(factory: HandoffFactory, count: int, t1: datetime, rng: random.Random) -> tuple[list[dict], int, int]:
    """`count` open handoffs whose next threshold falls in (T0, T1]; with the alerts and posts they will make."""
    from bot.alerts.sla import due_alerts, thresholds
    from bot.ownership.duty import sla_calendar

    matrix, t0 = factory.matrix, factory.now
    choices = []
    for target in matrix.sla.targets:
        calendar = sla_calendar(matrix, target)
        for clock, duration in (("respond", target.respond), ("resolve", target.resolve)):
            for percent in thresholds(matrix):
                span = _solve_opened(calendar, duration, percent / 100, t0, t1)
                if span is not None:
                    choices.append((target.priority, clock, percent, span))
    rows, alerts, posts = [], 0, 0
    while len(rows) < count:
        priority, clock, percent, (early, late) = rng.choice(choices)
        opened = early + (late - early) * rng.random()
        opened = opened.replace(second=0, microsecond=0)
        if clock == "respond":
            row = factory.open(opened_at=opened, state="open", priority=priority)
        else:
            row = factory.open(
                opened_at=opened,
                state=rng.choice(("acknowledged", "in_progress")),
                priority=priority,
                responded_after=timedelta(minutes=rng.choice((5, 10, 15))),
            )
        if row["alert_at"] is None or not t0 < row["alert_at"] <= t1:
            continue
        found = due_alerts(factory.handoff(row, hid=len(rows) + 1), matrix, t1)
        if not found:
            continue
        rows.append(row)
        alerts += len(found)
        posts += sum(2 if a.breach else 1 for a in found)
    return rows, alerts, posts


def background_handoffs(factory: HandoffFactory, count: int, t1: datetime) -> list[dict]:
    """Open handoffs, none of which reaches a threshold in (T0, T1]."""
    rows = []
    while len(rows) < count:
        row = factory.open()
        if row["alert_at"] is None or row["alert_at"] > t1:
            rows.append(row)
    return rows


def outbox_history(org_id: int, count: int, start: datetime, end: datetime, rng: random.Random) -> list[dict]:
    """Posts already sent over the past year: SLA alerts, review posts and digests (keys unused by the bench)."""
    rows = []
    span = (end - start).total_seconds()
    stages = ("respond:75", "respond:90", "respond:breach", "resolve:75", "resolve:90", "resolve:breach")
    for i in range(count):
        at = start + timedelta(seconds=span * i / max(count, 1))
        roll = rng.random()
        if roll < 0.8:
            key, kind, payload = f"sla:{10_000_000 + i}:{rng.choice(stages)}", "sla", {"handoff": 10_000_000 + i}
        elif roll < 0.995:
            key, kind, payload = f"review:harbour-finch:old-{i}:{at:%Y%m%dT%H%M}:due", "review", {"review": f"old-{i}"}
        else:
            key, kind, payload = f"digest:harbour-finch:daily:{at.date().isoformat()}-{i}", "digest", {"kind": "daily"}
        rows.append(
            {
                "key": key,
                "organisation_id": org_id,
                "kind": kind,
                "payload": payload,
                "status": "sent",
                "attempts": 1,
                "created_at": at,
                "lease_until": None,
                "sent_at": at + timedelta(seconds=1),
                "channel": CHANNEL,
                "ts": f"{at.timestamp():.0f}.{i % 10**6:06d}",
                "last_error": None,
            }
        )
    return rows
