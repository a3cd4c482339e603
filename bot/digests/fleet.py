"""The provider's fleet: one line of counts per client, and the weekly fleet digest's timing.

A provider serves many organisations from one Tandem. `/tandem fleet` shows its admins one
`ClientLine` per client, worst first; the weekly fleet digest posts the same lines for every
client of the deployment, with their totals, in the provider's own channel.

The fleet digest falls due once a week at a local day and time (`FleetSchedule`), so 08:30
stays 08:30 across daylight-saving changes. Its occurrence is named by the ISO week it falls
in, which is what makes it post once. After downtime the week's digest is still due for
`CATCH_UP` after its time, and is labelled with its week; later than that it is stale, and
the next week's is the one to wait for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc

CATCH_UP = timedelta(days=3)
KIND = "fleet"  # the outbox kind of the weekly fleet digest


@dataclass(frozen=True)
class ClientLine:
    organisation: str
    name: str
    channel: str | None
    open: int
    at_risk: int
    breached: int
    overdue_reviews: int
    gaps: int
    hours_left: int | None  # minutes left in the bank this period; None without a bank

    @property
    def urgency(self) -> tuple:
        """Worst first: breaches, then clocks at risk, reviews overdue, the bank spent, gaps, load."""
        spent = self.hours_left is not None and self.hours_left <= 0
        return (-self.breached, -self.at_risk, -self.overdue_reviews, not spent, -self.gaps, -self.open, self.name)


@dataclass(frozen=True)
class FleetSchedule:
    """Where and when the weekly fleet digest is posted: `channel` in the provider's workspace
    `team` (None with one bot token: there is one workspace), on `weekday` (0 is Monday) at
    `at` local time in `timezone`. `derived`: the team was not set but read from the matrices
    (`provider_workspace`), so each digest reads it again, as the matrices stand then."""

    channel: str
    team: str | None
    weekday: int
    at: time
    timezone: str
    derived: bool = False


def provider_workspace(teams: Mapping[str, tuple[str, ...]]) -> tuple[str | None, str]:
    """The one workspace every organisation names for its provider side (`teams`: each one's
    `sides.provider.teams`), or None with the reason there is none, to be put in a sentence."""
    named = sorted({team for found in teams.values() for team in found})
    unnamed = sorted(org for org, found in teams.items() if not found)
    if len(named) == 1 and not unnamed:
        return named[0], ""
    if len(named) > 1:
        return None, f"the matrices name several provider workspaces ({', '.join(named)})"
    if unnamed:
        return None, f"no workspace is named under sides.provider.teams in the matrix of {', '.join(unnamed[:3])}"
    return None, "no matrix is loaded yet to name it under sides.provider.teams"


@dataclass(frozen=True)
class FleetOccurrence:
    key: str  # f"fleet:weekly:{iso year}-W{week:02d}"
    week: str  # "2026-W49"
    at: datetime  # UTC


@dataclass(frozen=True)
class WeekTotals:
    """The week across the whole fleet: the handoffs opened and resolved in the seven days up
    to the digest, and the clients with a breach or a clock at risk now."""

    opened: int
    resolved: int
    breached_clients: int
    at_risk_clients: int


@dataclass(frozen=True)
class FleetDigest:
    week: str
    at: datetime  # when it fell due (UTC): a catch-up says so
    timezone: str  # the schedule's, in which its day is named
    now: datetime
    lines: list[ClientLine]  # worst first
    week_totals: WeekTotals

    def total(self, count: str) -> int:
        """One column summed over every client ("open", "at_risk", "breached", ...)."""
        return sum(getattr(line, count) for line in self.lines)


def latest_fleet_digest(schedule: FleetSchedule, now: datetime) -> FleetOccurrence | None:
    """The week's fleet digest if its time has come at `now` and is at most `CATCH_UP` old."""
    zone = ZoneInfo(schedule.timezone)
    today = as_utc(now).astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - schedule.weekday) % 7)
    at = datetime.combine(day, schedule.at, zone).astimezone(UTC)
    if at > as_utc(now):
        day -= timedelta(days=7)
        at = datetime.combine(day, schedule.at, zone).astimezone(UTC)
    if as_utc(now) - at > CATCH_UP:
        return None
    label = week_of(day)
    return FleetOccurrence(f"fleet:weekly:{label}", label, at)


def week_of(day: date) -> str:
    """The ISO week a day falls in, as digests are labelled: "2026-W49"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
