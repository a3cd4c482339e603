"""Rotas: whose turn it is across handover instants and clock changes, with leave and cover
applied by duty; the loader's checks, with line numbers; export and the gap audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import MatrixError
from bot.matrix.audit import find_gaps
from bot.matrix.export import export_text
from bot.matrix.loader import load_text
from bot.matrix.model import Handover
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import on_duty, reviewers
from bot.ownership.rota import handover, turn_at, turns
from tests.conftest import EXAMPLE

LONDON = ZoneInfo("Europe/London")
SAM, TOM, PRIYA = "U0SAM0001", "U0TOM0001", "U0PRIYA01"
TZ = "Europe/London"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_turns_pass_on_at_the_handover_instant(example_matrix):
    ooh = example_matrix.rota("rota:ooh")  # Sam, Tom, Priya; weekly, Monday 09:00, from Mon 2 Nov 2026
    assert ooh is not None and ooh.people == (SAM, TOM, PRIYA)
    assert turn_at(ooh, TZ, at(2026, 11, 2, 9, 0)).person == SAM
    assert turn_at(ooh, TZ, at(2026, 11, 9, 8, 59)).person == SAM
    assert turn_at(ooh, TZ, at(2026, 11, 9, 9, 0)).person == TOM
    assert turn_at(ooh, TZ, at(2026, 11, 16, 9, 0)).person == PRIYA
    assert turn_at(ooh, TZ, at(2026, 11, 24, 22, 0)).person == SAM  # round again
    upcoming = turns(ooh, TZ, at(2026, 11, 24, 22, 0))
    assert [t.person for t in upcoming] == [SAM, TOM, PRIYA, SAM, TOM]
    assert [t.starts_at.astimezone(LONDON) for t in upcoming[1:3]] == [at(2026, 11, 30, 9), at(2026, 12, 7, 9)]


def test_handovers_keep_local_time_across_clock_changes(example_matrix):
    ooh = example_matrix.rota("ooh")
    assert ooh is not None
    # before the start the order runs backwards: Mon 26 Oct (GMT, the day after the clocks went back)
    assert handover(ooh, TZ, -1) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert handover(ooh, TZ, -2) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert turn_at(ooh, TZ, datetime(2026, 10, 26, 8, 59, tzinfo=UTC)).person == TOM
    assert turn_at(ooh, TZ, datetime(2026, 10, 26, 9, 0, tzinfo=UTC)).person == PRIYA
    # spring: Mon 29 Mar 2027 09:00 BST is 08:00 UTC
    spring = turn_at(ooh, TZ, datetime(2027, 3, 29, 8, 0, tzinfo=UTC))
    assert spring.starts_at == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert turn_at(ooh, TZ, datetime(2027, 3, 29, 7, 59, tzinfo=UTC)).number == spring.number - 1


def test_a_daily_rota_hands_over_each_evening(example_matrix):
    ooh = example_matrix.rota("ooh")
    assert ooh is not None
    daily = replace(ooh, handover=Handover(1, time(18, 0), date(2026, 11, 23)))
    assert turn_at(daily, TZ, at(2026, 11, 23, 17, 59)).person == PRIYA
    assert turn_at(daily, TZ, at(2026, 11, 23, 18, 0)).person == SAM
    assert turn_at(daily, TZ, at(2026, 11, 24, 3, 0)).person == SAM
    assert turn_at(daily, TZ, at(2026, 11, 24, 18, 0)).person == TOM


def test_after_hours_duty_is_whoever_is_on_turn_with_leave_and_cover(example_matrix):
    backups = example_matrix.area("backups")  # after hours: rota:ooh, escalation Priya
    night = at(2026, 11, 24, 22, 0)  # Sam's turn
    duty = on_duty(example_matrix, backups, night)
    assert duty.parties == ("rota:ooh",) and duty.people == (SAM,) and duty.side == "provider"
    covered = [LeavePeriod(SAM, at(2026, 11, 23).astimezone(UTC), at(2026, 11, 28).astimezone(UTC), TOM)]
    duty = on_duty(example_matrix, backups, night, covered)
    assert duty.people == (TOM,) and duty.away[0].by == TOM
    uncovered = [replace(covered[0], cover=None)]
    duty = on_duty(example_matrix, backups, night, uncovered)
    assert duty.people == () and duty.fallback is not None and duty.ping == (PRIYA,)
    assert on_duty(example_matrix, backups, at(2026, 11, 30, 22, 0), uncovered).people == (TOM,)  # his turn


def test_a_rota_owning_a_review_pings_whoever_is_on_turn(example_matrix):
    ooh_review = replace(example_matrix.review("restore-test"), owner="rota:ooh")
    matrix = replace(example_matrix, reviews=(ooh_review,))
    assert reviewers(matrix, ooh_review, at(2026, 11, 24, 10, 0))[0] == (SAM,)
    assert reviewers(matrix, ooh_review, at(2026, 11, 30, 10, 0))[0] == (TOM,)


# --- the loader, export and gaps -------------------------------------------------------------------

BASE = EXAMPLE.read_text()
ROTA_LINES = (
    "    people: [U0SAM0001, U0TOM0001, U0PRIYA01]   # in turn order\n"
    '    handover: {every: 1w, at: "mon 09:00", start: 2026-11-02}   # every: Nd or Nw\n'
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(MatrixError) as raised:
        load_text(text, source="m.yml")
    return [str(p) for p in raised.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("lines", "field", "says"),
    [
        (
            "    people: [U0SAM0001, U0NOBODY1]\n" + ROTA_LINES.splitlines(True)[1],
            "rotas[0].people[1]",
            "U0NOBODY1 is not listed",
        ),
        (
            '    people: [U0SAM0001]\n    handover: {every: 1m, at: "mon 09:00", start: 2026-11-02}\n',
            "rotas[0].handover.every",
            "a whole number of days or weeks",
        ),
        (
            '    people: [U0SAM0001]\n    handover: {every: 1w, at: "9am", start: 2026-11-02}\n',
            "rotas[0].handover.at",
            '"mon 09:00" or "09:00"',
        ),
        (
            '    people: [U0SAM0001]\n    handover: {every: 3d, at: "mon 09:00", start: 2026-11-02}\n',
            "rotas[0].handover.at",
            "needs 'every' in weeks",
        ),
        (
            '    people: [U0SAM0001]\n    handover: {every: 1w, at: "mon 09:00", start: 2026-11-03}\n',
            "rotas[0].handover.start",
            "2026-11-03 is a Tuesday, but handovers are on mon",
        ),
        (
            '    people: [U0SAM0001]\n    handover: {every: 1w, at: "mon 09:00", start: next week}\n',
            "rotas[0].handover.start",
            "written YYYY-MM-DD",
        ),
    ],
)
def test_the_loader_checks_each_rota_field_with_its_line(lines, field, says):
    text = BASE.replace(ROTA_LINES, lines)
    [problem] = problems_of(text)
    needle = lines.splitlines()[0 if "people" in field else 1].strip()[:20]
    assert problem.startswith(f"m.yml:{line_of(text, needle)}: {field}") and says in problem


def test_rota_refs_are_checked_wherever_a_party_is():
    text = BASE.replace("    after_hours: rota:ooh\n", "    after_hours: rota:night\n", 1)
    [problem] = problems_of(text)
    assert "no rota 'night' under rotas (rotas: ooh)" in problem and "areas[6].after_hours" in problem
    accountable = BASE.replace("    accountable: U0PRIYA01\n", "    accountable: rota:ooh\n", 1)
    [problem] = problems_of(accountable)
    assert "a rota changes hands, and one person answers for an area" in problem
    twice = BASE.replace("rotas:\n", "rotas:\n  - key: ooh\n" + ROTA_LINES, 1)
    assert any("rota key 'ooh' is used twice" in p for p in problems_of(twice))


def test_export_round_trips_rotas_and_an_unused_rota_is_a_gap(example_matrix):
    exported = export_text(example_matrix)
    assert (
        "rotas:\n  - key: ooh\n" in exported and "handover: {every: 1w, at: mon 09:00, start: '2026-11-02'}" in exported
    )
    assert load_text(exported) == example_matrix
    unused = load_text(BASE.replace("    after_hours: rota:ooh\n", "    after_hours: provider\n"))
    assert [g.subject for g in find_gaps(unused) if g.subject.startswith("rota")] == ["rota ooh"]
    assert not [g for g in find_gaps(example_matrix) if g.subject.startswith("rota")]
