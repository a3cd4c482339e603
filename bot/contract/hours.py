"""Hours logged against handoffs: who may log them, and how they add up per period.

The hours are the provider's time, so the provider's people log them (on Resolve, or with
`/tandem log 1.5h on 42`); an admin of either side may log or correct them too. A
correction is a negative entry: the log itself is never edited, like the audit log.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.contract.bank import Period, Statement, period_of
from bot.errors import TandemError
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix, Person
from bot.matrix.rights import member


@dataclass(frozen=True)
class HoursEntry:
    handoff: int
    minutes: int  # negative for a correction
    by: str  # Slack id
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class HoursReport:
    """One period's hours: the bank's statement (None without a bank), and who used them on what."""

    period: Period
    statement: Statement | None
    used: int  # minutes
    by_handoff: tuple[tuple[int, int], ...]  # (handoff number, minutes), most first
    warn_at: int | None

    @property
    def warning(self) -> bool:
        """The period has used at least `warn_at` of its hours (or gone over them)."""
        if self.statement is None:
            return False
        if self.statement.overage:
            return True
        return self.warn_at is not None and self.statement.percent_used >= self.warn_at


@dataclass(frozen=True)
class Burn:
    """The weekly digest's look at this period's hours: where they stand and where they are heading."""

    report: HoursReport
    last_week: int  # minutes logged in the last complete week
    forecast: int  # minutes by the period's end at the pace so far


@dataclass(frozen=True)
class Logged:
    handoff: Handoff
    entry: HoursEntry
    total: int  # minutes on the handoff now
    report: HoursReport  # the period the entry fell in, after it


def may_log(matrix: Matrix, user: str) -> bool:
    person = matrix.people.get(user)
    return person is not None and (person.side == "provider" or person.admin)


def require_logger(matrix: Matrix, user: str) -> Person:
    person = member(matrix, user, "log hours")
    if not may_log(matrix, user):
        provider = matrix.side("provider")
        name = provider.name if provider else "the provider"
        raise TandemError(
            f"Hours are the provider's time, so only someone of {name} or an admin logs them. "
            "Ask the engineer who did the work to log them, e.g. /tandem log 1.5h on 42."
        )
    return person


def used_by_period(entries: list[HoursEntry], per: str, timezone: str) -> dict[date, int]:
    """Minutes logged per period (keyed by its first day), each entry in the period of its local date."""
    zone = ZoneInfo(timezone)
    totals: dict[date, int] = defaultdict(int)
    for entry in entries:
        totals[period_of(entry.at.astimezone(zone).date(), per).start] += entry.minutes
    return {start: max(0, minutes) for start, minutes in totals.items()}


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_period(text: str, today: date, per: str) -> Period:
    """`/tandem hours [month]`: this period by default; `last`, `2026-11`, `november`, `nov 2026`,
    `q4`, `q4 2026`. A month or quarter named without a year is the latest one not in the future."""
    words = text.strip().lower().replace(",", " ").split()
    if not words or words == ["this"] or words[:2] == ["this", "month"]:
        return period_of(today, per)
    if words[0] in ("last", "previous", "prev"):
        return period_of(today, per).previous()
    joined = " ".join(words)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", joined):
        numbered = int(match.group(1)), int(match.group(2))
    elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", joined):
        numbered = int(match.group(2)), int(match.group(1))
    else:
        numbered = None
    if numbered and 1 <= numbered[1] <= 12:
        return period_of(date(numbered[0], numbered[1], 1), per)
    quarter = re.fullmatch(r"q([1-4])(?:\s+(\d{4}))?", joined)
    name = re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", joined)
    month: int | None = None
    year_text: str | None = None
    if quarter:
        month, year_text = (int(quarter.group(1)) - 1) * 3 + 1, quarter.group(2)
    elif name and name.group(1)[:3] in _MONTHS:
        month, year_text = _MONTHS.index(name.group(1)[:3]) + 1, name.group(2)
    if month is not None:
        year = int(year_text) if year_text else today.year
        found = period_of(date(year, month, 1), per)
        if not year_text and found.start > today:
            found = period_of(date(year - 1, month, 1), per)
        return found
    raise TandemError(
        f"'{text.strip()}' is not a month I can read: write it as 2026-11, november, last, or q4 "
        "(e.g. /tandem hours last)."
    )


def elapsed_share(period: Period, today: date) -> float:
    """How much of the period has gone by at the end of `today` (0–1), for the burn forecast."""
    days = (period.end - period.start).days
    gone = min(days, max(0, (today - period.start).days + 1))
    return gone / days


def week_before(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The last complete ISO week (Monday to Monday, local), as instants: the weekly digest's week."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday - timedelta(days=7), datetime.min.time(), zone)
    end = datetime.combine(monday, datetime.min.time(), zone)
    return start, end
