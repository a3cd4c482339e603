"""The priority of a handoff or an overflow request, wherever people put it."""

from __future__ import annotations

import pytest

from bot.grammar import GrammarError, parse_command, parse_line, parse_mention


@pytest.mark.parametrize(
    ("text", "priority", "target", "summary"),
    [
        ("P2 backups: nightly job failed", "P2", None, "backups: nightly job failed"),
        ("backups P2 nightly job failed", "P2", None, "backups nightly job failed"),
        ("backups: P1 the job failed", "P1", None, "backups: the job failed"),
        ("file server backups: p2 the job", "P2", None, "file server backups: the job"),
        ("<@U0KIM00001> P1 screens blank", "P1", "U0KIM00001", "screens blank"),
        ("provider p3 firewall rule", "P3", "provider", "firewall rule"),
        ("provider.soc: P1 suspicious login", "P1", "provider.soc", "suspicious login"),
    ],
)
def test_a_priority_after_the_first_word_or_the_target_is_the_priority(text, priority, target, summary):
    command = parse_command("/handoff", text)
    assert (command.priority, command.target, command.text) == (priority, target, summary)


@pytest.mark.parametrize(
    "text",
    ["upgrade P5 printers", "replace the P2 toner in room 3", "backups: the nightly P1 job"],
)
def test_a_p_word_later_in_the_summary_or_out_of_range_stays_text(text):
    command = parse_command("/handoff", text)
    assert command.priority is None and command.text == text


def test_a_leading_priority_wins_over_a_later_p_word():
    command = parse_command("/handoff", "P3 backups P1 was last week")
    assert command.priority == "P3" and command.text == "backups P1 was last week"


def test_a_bad_priority_right_after_the_target_is_refused_not_swallowed():
    with pytest.raises(GrammarError, match="P9 is not a priority"):
        parse_command("/handoff", "provider P9 firewall")


def test_overflow_reads_the_priority_alike_on_every_surface():
    for command in (
        parse_command("/overflow", "laptops P2 to image by Friday"),
        parse_mention("<@U0TANDEM1> overflow laptops P2 to image by Friday"),
        parse_line("@tandem overflow laptops P2 to image by Friday"),
    ):
        assert (command.name, command.priority, command.text) == ("overflow", "P2", "laptops to image by Friday")
