"""The `contract:` section of a matrix as plain values, and the units it is written in.

Hours are kept as whole minutes, so a bank of 20h and logs of 1.5h, 20m and 0.25h add up
exactly; money is a `Decimal` with its currency, so an overage never picks up a float's
stray cent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.matrix.durations import Duration

PERIODS = ("month", "quarter")
DEFAULT_REVIEW = Duration(90, "d")  # confirm every area at least this often
_HOURS = re.compile(r"^\s*(-?)\s*(\d+(?:[.,]\d+)?)\s*(?:h|hrs?|hours?)?\s*$", re.IGNORECASE)
_MINUTES = re.compile(r"^\s*(-?)\s*(\d+)\s*(?:m|mins?|minutes?)\s*$", re.IGNORECASE)
_BOTH = re.compile(r"^\s*(-?)\s*(\d+)\s*h\s*(\d+)\s*(?:m|mins?|minutes?)\s*$", re.IGNORECASE)
_MONEY = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([£$€])?\s*(\d+(?:[.,]\d{1,2})?)\s*([A-Za-z]{3})?\s*$")
_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR"}
_CENT = Decimal("0.01")


def parse_hours(text: object, allow_negative: bool = False) -> int:
    """`1.5h`, `1,5h`, `90m`, `1h30m`, `2 hours` or a bare `1.5` (hours) as whole minutes."""
    raw = str(text)
    sign, minutes = "", None
    if match := _BOTH.match(raw):
        sign, minutes = match.group(1), int(match.group(2)) * 60 + int(match.group(3))
    elif match := _MINUTES.match(raw):
        sign, minutes = match.group(1), int(match.group(2))
    elif match := _HOURS.match(raw):
        sign = match.group(1)
        minutes = int((Decimal(match.group(2).replace(",", ".")) * 60).quantize(Decimal(1), ROUND_HALF_UP))
    if minutes is None or (sign and not allow_negative):
        raise ValueError(f"{raw!r} is not an amount of time: write hours such as 1.5h, 20h or 90m")
    if minutes == 0 and raw.strip():
        raise ValueError(f"{raw!r} is no time at all: write hours such as 1.5h or 90m")
    return -minutes if sign else minutes


def format_hours(minutes: int) -> str:
    """Whole minutes as hours, the way invoices write them: 90 → `1.5h`, 1200 → `20h`, 20 → `0.33h`."""
    hours = (Decimal(minutes) / 60).quantize(_CENT, ROUND_HALF_UP)
    text = f"{hours:f}".rstrip("0").rstrip(".")
    return f"{text}h"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str  # ISO 4217, e.g. GBP

    @classmethod
    def parse(cls, text: object) -> Money:
        """`95 GBP`, `GBP 95`, `£95`, `95.50 EUR`; raise ValueError saying what is accepted."""
        match = _MONEY.match(str(text))
        currency = None
        if match:
            before, symbol, _, after = match.groups()
            named = [c.upper() for c in (before, after) if c]
            if symbol:
                named.append(_SYMBOLS[symbol])
            currency = named[0] if len(set(named)) == 1 else None
        if not match or currency is None:
            raise ValueError(f"{text!r} is not an hourly rate: write an amount and its currency, e.g. 95 GBP")
        try:
            amount = Decimal(match.group(3).replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the pattern only lets digits through
            raise ValueError(f"{text!r} is not an amount") from exc
        return cls(amount.quantize(_CENT), currency)

    @property
    def text(self) -> str:
        """As the matrix file writes it: `95 GBP`."""
        return f"{self.amount.normalize():f} {self.currency}"

    def for_minutes(self, minutes: int) -> Money:
        """This hourly rate for so many minutes, to the cent."""
        return Money((self.amount * minutes / 60).quantize(_CENT, ROUND_HALF_UP), self.currency)

    def describe(self) -> str:
        """For people: `1,140.00 GBP`."""
        return f"{self.amount:,.2f} {self.currency}"


@dataclass(frozen=True)
class HoursBank:
    """Prepaid block hours: `bank` minutes each period, up to `rollover` minutes of what is
    left carried into the next one, and the rate for hours beyond the bank."""

    bank: int
    per: str = "month"  # "month" | "quarter"
    rollover: int = 0
    overage_rate: Money | None = None


@dataclass(frozen=True)
class Contract:
    hours: HoursBank | None = None
    scope: tuple[str, ...] = ()  # what overflow may ask for; empty: no limit on scope
    approver: tuple[str, ...] = ()  # party refs; empty: the internal side's accountable admins
    warn_at: int | None = None  # percent of the period's hours used: warn in the digest
    review: Duration = DEFAULT_REVIEW  # an area unconfirmed for longer is stale
    start: date | None = None  # the first day of the contract: rollover counts from there
