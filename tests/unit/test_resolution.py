"""Resolving what people type to an area: exact, alias, typo, sentence, ambiguous, unknown."""

from __future__ import annotations

import pytest

from bot.ownership.resolve import AreaIndex


@pytest.fixture(scope="module")
def index(example_matrix):
    return AreaIndex(example_matrix.areas)


@pytest.mark.parametrize(
    "query, key",
    [
        ("backups", "backups"),  # key
        ("Patch management", "patching"),  # name
        ("PASSWORD RESETS?", "helpdesk"),  # alias, case and punctuation
        ("password reset", "helpdesk"),  # plural folded
        ("windows-update", "patching"),
        ("Office 365", "m365"),
    ],
)
def test_exact_key_name_or_alias(index, query, key):
    result = index.resolve(query)
    assert result.status == "found" and result.area.key == key and result.matches[0].score == 100


@pytest.mark.parametrize(
    "query, key",
    [
        ("bakcups", "backups"),
        ("pathcing", "patching"),
        ("firewal", "network"),
        ("sharepiont", "m365"),
    ],
)
def test_typos(index, query, key):
    result = index.resolve(query)
    assert result.status == "found", result
    assert result.area.key == key and result.matches[0].score < 100


@pytest.mark.parametrize(
    "query, key",
    [
        ("who owns the label printer jam", "onsite-hardware"),
        ("the vpn is down again", "network"),
        ("updates windows", "patching"),  # word order
        ("we need a restore test before friday", "restore-testing"),
    ],
)
def test_sentences_and_word_order(index, query, key):
    result = index.resolve(query)
    assert result.status == "found", result
    assert result.area.key == key


def test_ambiguous_query_returns_the_candidates(index):
    result = index.resolve("security")
    assert result.status == "ambiguous"
    keys = {m.area.key for m in result.matches}
    assert {"endpoint-security", "security-monitoring"} <= keys
    assert result.area is None


def test_unknown_query_suggests_nothing_absurd(index):
    result = index.resolve("coffee machine descaling")
    assert result.status == "unknown" and result.area is None
    assert all(m.score < 85 for m in result.matches)


def test_unknown_but_close_suggests_the_closest(index):
    result = index.resolve("licence server")
    assert result.status in ("found", "unknown")
    assert result.matches and result.matches[0].area.key == "licensing"


@pytest.mark.parametrize("query", ["coffee machine", "vending machine", "window cleaner"])
def test_no_suggestion_below_the_similarity_floor(index, query):
    result = index.resolve(query)
    assert result.status == "unknown" and result.matches == ()


@pytest.mark.parametrize(
    ("query", "key"), [("office365", "m365"), ("wi fi", "network"), ("my office365 mailbox", "m365")]
)
def test_spaces_do_not_hide_a_label(index, query, key):
    assert index.resolve(query).area.key == key
