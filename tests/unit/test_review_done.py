"""Reviews done once per cycle: which cycle `/tandem done` completes at each moment.

The example's restore test: quarterly on the first Wednesday at 10:00 (6 Jan, 7 Apr 2027 …),
reminded 3 days before. Completing January in January must never complete April.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.reviews.cadence import cycle_to_complete, due_occurrence

LONDON = ZoneInfo("Europe/London")
OCTOBER = datetime(2026, 10, 7, 9, 0, tzinfo=UTC)
JANUARY = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)
APRIL = datetime(2027, 4, 7, 9, 0, tzinfo=UTC)  # 10:00 BST


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_done_completes_the_cycle_due_or_overdue_now(example_matrix):
    review = example_matrix.review("restore-test")
    nothing = frozenset()
    assert cycle_to_complete(example_matrix, review, nothing, nothing, at(2027, 1, 6, 11, 0)) == (JANUARY, None)
    assert cycle_to_complete(example_matrix, review, nothing, nothing, at(2027, 2, 20, 9, 0)) == (JANUARY, None)


def test_a_second_done_finds_the_finished_cycle_not_the_next_one(example_matrix):
    review = example_matrix.review("restore-test")
    done = frozenset({JANUARY})
    assert cycle_to_complete(example_matrix, review, done, frozenset(), at(2027, 1, 8, 9, 0)) == (None, JANUARY)
    # the next cycle's reminder is still due on time: three days before Wed 7 Apr is a Sunday, so Monday's opening
    assert due_occurrence(example_matrix, review, done, at(2027, 4, 5, 7, 59)) is None
    occurrence = due_occurrence(example_matrix, review, done, at(2027, 4, 5, 8, 0))
    assert occurrence is not None and (occurrence.due_at, occurrence.stage) == (APRIL, "remind")


def test_the_next_cycle_only_inside_its_reminder_window(example_matrix):
    review = example_matrix.review("restore-test")
    done = frozenset({JANUARY})
    assert cycle_to_complete(example_matrix, review, done, frozenset(), at(2027, 4, 4, 9, 59)) == (None, JANUARY)
    assert cycle_to_complete(example_matrix, review, done, frozenset(), at(2027, 4, 4, 10, 0)) == (APRIL, None)
    both = frozenset({JANUARY, APRIL})
    assert cycle_to_complete(example_matrix, review, both, frozenset(), at(2027, 4, 5, 10, 0)) == (None, APRIL)


def test_a_cycle_never_announced_is_still_completed_unless_the_next_window_is_open(example_matrix):
    review = example_matrix.review("restore-test")
    settled = frozenset({OCTOBER})  # due before the review was first scheduled
    assert cycle_to_complete(example_matrix, review, frozenset(), settled, at(2026, 11, 24, 10, 0)) == (OCTOBER, None)
    assert cycle_to_complete(example_matrix, review, frozenset(), settled, at(2027, 1, 4, 10, 0)) == (JANUARY, None)
