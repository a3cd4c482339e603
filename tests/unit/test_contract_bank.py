"""Block hours: periods, rollover across month and quarter ends, overage in money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.contract.bank import period_of, statement, statements
from bot.contract.model import HoursBank, Money, format_hours, parse_hours

H = 60  # minutes in an hour
GBP95 = Money(Decimal("95.00"), "GBP")
MONTHLY = HoursBank(bank=20 * H, per="month", rollover=10 * H, overage_rate=GBP95)
QUARTERLY = HoursBank(bank=60 * H, per="quarter", rollover=15 * H, overage_rate=Money(Decimal("120.00"), "USD"))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1.5h", 90),
        ("1,5h", 90),
        ("90m", 90),
        ("1h30m", 90),
        ("2 hours", 120),
        ("20h", 1200),
        ("0.25h", 15),
        ("1.5", 90),
    ],
)
def test_hours_are_read_as_whole_minutes(text, minutes):
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "0h", "-1h", "1.5 days", "h"])
def test_what_is_not_hours_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match=r"1\.5h"):
        parse_hours(text)


def test_a_correction_may_be_negative_where_allowed():
    assert parse_hours("-0.5h", allow_negative=True) == -30


def test_hours_are_written_as_invoices_write_them():
    assert [format_hours(m) for m in (90, 1200, 20, 15, 0)] == ["1.5h", "20h", "0.33h", "0.25h", "0h"]


@pytest.mark.parametrize("text", ["95 GBP", "GBP 95", "£95", "95.00 gbp"])
def test_rates_are_read_with_their_currency(text):
    assert Money.parse(text) == GBP95


@pytest.mark.parametrize("text", ["95", "95 GBP USD", "ninety GBP", "£95 USD"])
def test_a_rate_without_one_currency_is_refused(text):
    with pytest.raises(ValueError, match=r"e\.g\. 95 GBP"):
        Money.parse(text)


def test_periods_are_calendar_months_and_quarters():
    assert period_of(date(2026, 11, 30), "month").label == "November 2026"
    december = period_of(date(2026, 12, 31), "month")
    assert (december.start, december.end) == (date(2026, 12, 1), date(2027, 1, 1))
    assert december.next().label == "January 2027" and december.next().previous() == december
    q4 = period_of(date(2026, 11, 15), "quarter")
    assert (q4.label, q4.start, q4.end) == ("Q4 2026", date(2026, 10, 1), date(2027, 1, 1))
    assert q4.next().label == "Q1 2027" and date(2026, 12, 31) in q4 and date(2027, 1, 1) not in q4


def test_a_month_within_its_bank():
    november = period_of(date(2026, 11, 1), "month")
    s = statement(MONTHLY, {november.start: 12 * H + 30}, november)
    assert (s.available, s.left, s.overage, s.percent_used) == (20 * H, 7 * H + 30, 0, 63)
    assert s.overage_cost == Money(Decimal("0.00"), "GBP") and s.carry_out == 7 * H + 30


def test_unused_hours_roll_over_a_month_end_up_to_the_cap():
    october, november, december = (period_of(date(2026, m, 1), "month") for m in (10, 11, 12))
    used = {october.start: 2 * H, november.start: 15 * H, december.start: 30 * H}
    oct_s, nov_s, dec_s = statements(MONTHLY, used, october, december)
    assert oct_s.carried_in == 0 and oct_s.left == 18 * H and oct_s.carry_out == 10 * H  # capped at 10h
    assert nov_s.carried_in == 10 * H and nov_s.available == 30 * H and nov_s.left == 15 * H
    assert dec_s.carried_in == 10 * H and dec_s.available == 30 * H and dec_s.overage == 0 and dec_s.left == 0


def test_overage_is_billed_and_nothing_negative_rolls_over():
    november, december = period_of(date(2026, 11, 1), "month"), period_of(date(2026, 12, 1), "month")
    used = {november.start: 26 * H + 30}
    nov_s, dec_s = statements(MONTHLY, used, november, december)
    assert nov_s.overage == 6 * H + 30 and nov_s.overage_cost == Money(Decimal("617.50"), "GBP")
    assert nov_s.percent_used == 133 and nov_s.carry_out == 0
    assert dec_s.carried_in == 0 and dec_s.available == 20 * H


def test_rollover_across_a_quarter_end_and_a_year_end():
    q3, q4, q1 = (
        period_of(date(2026, 8, 1), "quarter"),
        period_of(date(2026, 11, 1), "quarter"),
        period_of(date(2027, 2, 1), "quarter"),
    )
    used = {q3.start: 50 * H, q4.start: 80 * H, q1.start: 10 * H}
    s3, s4, s1 = statements(QUARTERLY, used, q3, q1)
    assert s3.carry_out == 10 * H
    assert s4.available == 70 * H and s4.overage == 10 * H and s4.overage_cost == Money(Decimal("1200.00"), "USD")
    assert s1.period.label == "Q1 2027" and s1.carried_in == 0 and s1.left == 50 * H


def test_a_statement_reads_the_same_whichever_period_is_asked_first():
    november, december = period_of(date(2026, 11, 1), "month"), period_of(date(2026, 12, 1), "month")
    used = {november.start: 5 * H}
    september = period_of(date(2026, 9, 1), "month")
    assert statement(MONTHLY, used, december) == statements(MONTHLY, used, september, december)[-1]
    assert statement(MONTHLY, used, december).carried_in == 10 * H


def test_the_contract_start_begins_the_rollover_chain():
    september, october = period_of(date(2026, 9, 1), "month"), period_of(date(2026, 10, 1), "month")
    # Signed on 1 September, nothing logged until October: September's unused hours roll over.
    s = statement(MONTHLY, {october.start: 3 * H}, october, start=date(2026, 9, 1))
    assert s.carried_in == 10 * H and s.left == 27 * H
    before = statement(MONTHLY, {}, period_of(date(2026, 8, 1), "month"), start=date(2026, 9, 1))
    assert before.bank == 0 and september.previous() == before.period


def test_a_bank_without_rollover_or_rate():
    plain = HoursBank(bank=10 * H)
    november = period_of(date(2026, 11, 1), "month")
    s = statement(plain, {november.start: 12 * H}, november)
    assert s.overage == 2 * H and s.overage_cost is None and s.carry_out == 0
