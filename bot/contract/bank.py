"""Block-hours arithmetic: which period a day falls in, and a period's statement.

A period is a calendar month or quarter in the organisation's zone. Each period holds the
bank plus what rolled over from the one before; hours beyond that are overage, billed at
the rate; what is left at the end rolls into the next period, up to `rollover`. Nothing
negative ever rolls over: an overspent month starts the next one with the plain bank.
The chain of periods starts at the contract's `start` (or, without one, at the first
period with hours logged), so a statement reads the same whenever it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.contract.model import HoursBank, Money

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Period:
    start: date  # first day
    end: date  # the day after the last
    per: str

    @property
    def label(self) -> str:
        if self.per == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{_MONTHS[self.start.month - 1]} {self.start.year}"

    def next(self) -> Period:
        return period_of(self.end, self.per)

    def previous(self) -> Period:
        return period_of(date.fromordinal(self.start.toordinal() - 1), self.per)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


def period_of(day: date, per: str) -> Period:
    """The month or calendar quarter `day` falls in."""
    months = 3 if per == "quarter" else 1
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return Period(start, end, "quarter" if per == "quarter" else "month")


@dataclass(frozen=True)
class Statement:
    """One period of the bank: minutes throughout."""

    period: Period
    bank: int
    carried_in: int  # rolled over from the period before
    used: int
    rollover_cap: int
    rate: Money | None

    @property
    def available(self) -> int:
        return self.bank + self.carried_in

    @property
    def left(self) -> int:
        return max(0, self.available - self.used)

    @property
    def overage(self) -> int:
        return max(0, self.used - self.available)

    @property
    def overage_cost(self) -> Money | None:
        return self.rate.for_minutes(self.overage) if self.rate else None

    @property
    def carry_out(self) -> int:
        """What rolls into the next period."""
        return min(self.rollover_cap, self.left)

    @property
    def percent_used(self) -> int:
        if self.available <= 0:
            return 100 if self.used > 0 else 0
        return (200 * self.used + self.available) // (2 * self.available)  # rounded half up


def statements(
    bank: HoursBank, used: dict[date, int], first: Period, last: Period, start: date | None = None
) -> list[Statement]:
    """The statements of every period from `first` to `last`, with rollover carried in.

    `used`: minutes logged per period, keyed by the period's first day. `start`: the
    contract's first day; without it the chain starts at the earliest period with hours.
    """
    begins = period_of(start, bank.per) if start else period_of(min(used, default=first.start), bank.per)
    period = min(begins, first)
    carried = 0
    out: list[Statement] = []
    while period <= last:
        counts = start is None or period >= begins
        if period == begins:
            carried = 0  # the chain starts here, whichever period was asked for first
        this = Statement(
            period, bank.bank if counts else 0, carried, used.get(period.start, 0), bank.rollover, bank.overage_rate
        )
        if period >= first:
            out.append(this)
        carried = this.carry_out if counts else 0
        period = period.next()
    return out


def statement(bank: HoursBank, used: dict[date, int], period: Period, start: date | None = None) -> Statement:
    """The statement of one period."""
    return statements(bank, used, period, period, start)[0]
