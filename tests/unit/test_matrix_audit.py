"""Gaps where work falls between the two sides."""

from __future__ import annotations

from dataclasses import replace

from bot.matrix.audit import find_gaps


def test_example_matrix_has_no_gaps(example_matrix):
    assert find_gaps(example_matrix) == []


def test_each_kind_of_gap_is_found(example_matrix):
    m = example_matrix
    areas = list(m.areas)
    areas[0] = replace(areas[0], responsible=())  # helpdesk: nobody responsible
    areas[1] = replace(areas[1], accountable=())  # on-site hardware: nobody accountable
    areas[2] = replace(areas[2], accountable=("internal",))  # vendors: three people accountable
    areas[7] = replace(areas[7], lead=None)  # restore testing: shared, no lead
    areas[4] = replace(areas[4], after_hours=())  # endpoint security: 24x7, nobody after hours
    reviews = list(m.reviews)
    reviews[0] = replace(reviews[0], owner=None)
    gaps = {(g.subject, g.problem) for g in find_gaps(replace(m, areas=tuple(areas), reviews=tuple(reviews)))}
    assert gaps == {
        ("area helpdesk", "nobody is responsible"),
        ("area onsite-hardware", "nobody is accountable"),
        ("area vendors", "more than one person is accountable"),
        ("area restore-testing", "responsibility is shared but nobody leads"),
        ("area endpoint-security", "needs 24x7 cover but nobody is on duty after hours"),
        ("review restore-test", "has no owner"),
    }


def test_person_with_no_role_is_a_gap(example_matrix):
    from bot.matrix.model import Person

    side = example_matrix.side("internal")
    lonely = replace(side, people=(*side.people, Person("U0LONELY1", "Lee Lonely", "internal")))
    m = replace(example_matrix, sides=(lonely, example_matrix.side("provider")))
    assert find_gaps(m) == []  # a whole side is responsible somewhere, so Lee has a role through it
    narrowed = tuple(
        replace(a, responsible=("U0ALICE01",), lead=None, consulted=(), informed=(), after_hours=(), escalation=())
        for a in m.areas
    )
    people_gaps = {
        g.subject for g in find_gaps(replace(m, areas=narrowed, reviews=())) if g.problem.startswith("is listed")
    }
    assert "person Lee Lonely (U0LONELY1)" in people_gaps
    assert "person Alice Moss (U0ALICE01)" not in people_gaps
