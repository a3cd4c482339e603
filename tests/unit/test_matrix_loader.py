"""The matrix file: what loads, and how every problem is reported with its line and field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from bot.errors import MatrixError
from bot.matrix.diff import changes
from bot.matrix.loader import load_text
from tests.conftest import EXAMPLE
from tests.support import SHARED_DIR

BASE = EXAMPLE.read_text()


def problems(text: str) -> list:
    with pytest.raises(MatrixError) as raised:
        load_text(text, source="m.yml")
    return raised.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_example_matrix_loads_every_section(example_matrix):
    m = example_matrix
    assert m.organisation == "harbour-finch" and m.timezone == "Europe/London"
    [hours] = m.business_hours
    assert hours.days == frozenset(range(5))
    assert (hours.start, hours.end) == (time(8), time(18))
    assert date(2026, 12, 25) in m.holidays
    assert len(m.areas) == 17 and len(m.reviews) >= 5
    assert m.sla.target("P1").clock == "24x7" and m.sla.target("P2").clock == "business"
    assert m.sla.warn_at == (75, 90) and m.sla.default == "P3"
    assert m.expand("provider.soc") == ("U0SAM0001", "U0NOC0001")
    assert m.area("restore-testing").is_shared and m.area("restore-testing").lead == "provider"


def test_the_spec_example_loads():
    spec = SHARED_DIR / "spec" / "PRODUCT.md"
    if not spec.exists():
        pytest.skip("shared/spec is not beside the checkout")
    text = spec.read_text().split("```yaml", 1)[1].split("```", 1)[0]
    text = text.replace("    area: backups\n", "")  # the spec's review names an area its excerpt leaves out
    matrix = load_text(text)
    assert matrix.area("helpdesk").after_hours == ("provider",)


def test_unknown_person_is_reported_with_line_field_and_value():
    text = BASE.replace(
        "accountable: U0PRIYA01\n    informed: [internal]\n    escalation",
        "accountable: U0NOBODY1\n    informed: [internal]\n    escalation",
        1,
    )
    [problem] = problems(text)
    assert problem.line == line_of(text, "U0NOBODY1")
    assert problem.field == "areas[3].accountable"
    assert problem.value == "U0NOBODY1"
    assert "not listed under any side's people" in problem.message
    assert str(problem).startswith(f"m.yml:{problem.line}: areas[3].accountable = 'U0NOBODY1'")


def test_every_problem_is_reported_not_just_the_first():
    text = (
        BASE.replace("timezone: Europe/London", "timezone: Europe/Londn")
        .replace("P2: {respond: 1h, resolve: 8h}", "P2: {respond: 1hour, resolve: 8h}")
        .replace(
            "responsible: provider.soc\n    accountable: U0PRIYA01\n    informed: [internal]",
            "responsible: provider.sock\n    accountable: U0PRIYA01\n    informed: [internal]",
        )
        .replace('schedule: "FREQ=MONTHLY;BYDAY=2TH;BYHOUR=10"', 'schedule: "every second thursday"')
    )
    found = {p.field: p for p in problems(text)}
    assert set(found) == {"timezone", "sla.P2.respond", "areas[4].responsible", "reviews[1].schedule"}
    assert found["timezone"].line == line_of(text, "Europe/Londn")
    assert found["sla.P2.respond"].line == line_of(text, "1hour")
    assert "no group 'sock'" in found["areas[4].responsible"].message
    assert found["reviews[1].schedule"].line == line_of(text, "every second thursday")


def test_duplicate_alias_names_both_areas():
    text = BASE.replace("aliases: [patches, windows updates", "aliases: [printers, windows updates")
    [problem] = problems(text)
    assert problem.value == "printers" and "onsite-hardware" in problem.message
    assert f"line {line_of(text, 'aliases: [printers, label printer')}" in problem.message


def test_duplicate_person_and_bad_slack_id():
    text = BASE.replace("{slack: U0CARA001, name: Cara Diaz}", "{slack: U0ALICE01, name: Cara Diaz}").replace(
        "{slack: U0TOM0001, name: Tom Reyes}", "{slack: tom, name: Tom Reyes}"
    )
    found = {p.field: p for p in problems(text)}
    assert "listed twice" in found["sides.internal.people[2].slack"].message
    assert "member id" in found["sides.provider.people[2].slack"].message


def test_unknown_field_suggests_the_right_one():
    text = BASE.replace("    aliases: [patches", "    aliasses: [patches")
    [problem] = problems(text)
    assert problem.line == line_of(text, "aliasses") and "did you mean 'aliases'" in problem.message


def test_bad_priority_duration_and_review_area():
    text = BASE.replace("priority: P2\n", "priority: P7\n").replace(
        "remind_before: 3d\n    area: restore-testing", "remind_before: 3 days\n    area: restore-tests"
    )
    found = {p.field: p for p in problems(text)}
    assert "P1, P2, P3, P4" in found["areas[5].priority"].message
    assert "positive whole number" in found["reviews[0].remind_before"].message
    assert "closest: restore-testing" in found["reviews[0].area"].message


def test_invalid_yaml_reports_its_line():
    [problem] = problems("organisation: x\nsides: [unclosed\n")
    assert problem.line is not None and "not valid YAML" in problem.message


def test_a_key_written_twice_is_reported_not_overwritten():
    text = BASE.replace("  - key: patching\n", "  - key: patching\n    key: patches\n", 1)
    [problem] = problems(text)
    assert problem.line == line_of(text, "key: patches") and "'key' appears twice" in problem.message


def test_yaml_1_2_scalars_keep_words_as_words():
    text = BASE.replace("aliases: [suppliers, isp,", "aliases: [no, isp,")
    matrix = load_text(text)
    assert "no" in matrix.area("vendors").aliases


def test_duplicate_area_key_names_the_first():
    text = BASE.replace("  - key: licensing\n", "  - key: backups\n", 1)
    found = [p for p in problems(text) if p.field.endswith(".key")]
    assert found and "area key 'backups' is used twice" in found[0].message
    assert f"line {line_of(text, 'key: backups')}" in found[0].message


@pytest.mark.parametrize("party", ["internal", "provider.soc", "[U0ALICE01, provider]"])
def test_accountable_must_be_a_person(party):
    text = BASE.replace(
        "responsible: provider\n    accountable: U0PRIYA01\n    informed: [internal]",
        f"responsible: provider\n    accountable: {party}\n    informed: [internal]",
        1,
    )
    [problem] = problems(text)
    assert problem.field.startswith("areas[3].accountable") and problem.line == line_of(text, f"accountable: {party}")
    assert "names one person, not a side or a group" in problem.message


def test_warnings_name_placeholders_a_missing_channel_and_markup():
    from bot.matrix.loader import read_text

    text = (
        BASE.replace("channel: C0SHARED01\n", "")
        .replace("U0CARA001, name: Cara Diaz", 'U0CHANGEME3, name: "Cara <!here>"')
        .replace("U0CARA001", "U0CHANGEME3")
    )
    loaded = read_text(text, source="m.yml")
    found = {(w.field, w.message.split(":")[0]) for w in loaded.warnings}
    assert found == {
        ("channel", "no 'channel'"),
        ("sides.internal.people[2].slack", "a placeholder from tandem matrix init"),
        ("sides.internal.people[2].name", "looks like Slack markup (<…>, @channel, @here)"),
    }
    assert read_text(BASE).warnings == []


def test_the_workspaces_of_the_channel_and_of_each_side():
    text = BASE.replace("channel: C0SHARED01\n", "channel: C0SHARED01\nteam: T0HOST0001\n").replace(
        "    name: Red Kite IT\n", "    name: Red Kite IT\n    teams: [T0MSP00001, E0GRID0001]\n"
    )
    matrix = load_text(text)
    assert matrix.team == "T0HOST0001" and matrix.side("provider").teams == ("T0MSP00001", "E0GRID0001")
    assert matrix.teams == {"T0HOST0001", "T0MSP00001", "E0GRID0001"}
    assert load_text(BASE).teams == frozenset()


def test_a_team_that_is_not_a_team_id_is_refused_with_where_to_find_it():
    text = BASE.replace("channel: C0SHARED01\n", "channel: C0SHARED01\nteam: C0SHARED01\n").replace(
        "    name: Red Kite IT\n", "    name: Red Kite IT\n    teams: [redkite]\n"
    )
    found = problems(text)
    assert [p.field for p in found] == ["team", "sides.provider.teams[0]"]
    assert all("Slack team id such as T0HOST0001" in p.message for p in found)


def test_a_first_import_counts_what_it_created_in_words(example_matrix):
    one = replace(example_matrix, reviews=example_matrix.reviews[:1])
    assert changes(None, one) == [f"matrix for 'harbour-finch' created: {len(one.areas)} areas, 1 review, 7 people"]
