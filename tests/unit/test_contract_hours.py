"""Hours logged: who may log them, which period each falls in, and how people name a period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.contract.bank import period_of
from bot.contract.hours import HoursEntry, elapsed_share, may_log, parse_period, require_logger, used_by_period
from bot.errors import TandemError

TODAY = date(2026, 11, 26)


def test_the_provider_and_any_admin_log_hours(example_matrix):
    assert may_log(example_matrix, "U0SAM0001") and may_log(example_matrix, "U0ALICE01")
    assert not may_log(example_matrix, "U0BEN0001") and not may_log(example_matrix, "U0NOBODY1")
    with pytest.raises(TandemError, match="only someone of Red Kite IT or an admin logs them"):
        require_logger(example_matrix, "U0BEN0001")


def test_each_entry_counts_in_the_period_of_its_local_date():
    entries = [
        HoursEntry(1, 90, "U0SAM0001", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),  # 1 Dec in Auckland
        HoursEntry(1, 60, "U0SAM0001", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
        HoursEntry(2, -30, "U0PRIYA01", datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),  # a correction
    ]
    assert used_by_period(entries, "month", "Europe/London") == {date(2026, 11, 1): 120}
    assert used_by_period(entries, "month", "Pacific/Auckland") == {date(2026, 11, 1): 30, date(2026, 12, 1): 90}
    assert used_by_period(entries, "quarter", "Pacific/Auckland") == {date(2026, 10, 1): 120}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("", "November 2026"),
        ("this month", "November 2026"),
        ("last", "October 2026"),
        ("2026-09", "September 2026"),
        ("9/2026", "September 2026"),
        ("october", "October 2026"),
        ("Dec", "December 2025"),  # no year: the latest December not in the future
        ("dec 2026", "December 2026"),
    ],
)
def test_people_name_a_month_as_they_like(text, label):
    assert parse_period(text, TODAY, "month").label == label


def test_a_quarterly_bank_reads_months_and_quarters_as_their_quarter():
    assert parse_period("q3", TODAY, "quarter").label == "Q3 2026"
    assert parse_period("february", TODAY, "quarter").label == "Q1 2026"
    assert parse_period("last", TODAY, "quarter").label == "Q3 2026"


def test_a_month_it_cannot_read_says_how_to_write_it():
    with pytest.raises(TandemError, match="write it as 2026-11, november, last, or q4"):
        parse_period("the one before", TODAY, "month")


def test_the_forecast_knows_how_much_of_the_period_has_gone():
    november = period_of(TODAY, "month")
    assert elapsed_share(november, TODAY) == pytest.approx(26 / 30)
    assert elapsed_share(november, date(2026, 10, 1)) == 0 and elapsed_share(november, date(2027, 1, 1)) == 1
