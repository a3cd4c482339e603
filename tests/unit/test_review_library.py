"""The default review library: every entry is a valid matrix review at the cadence its control asks for."""

import itertools
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.matrix.durations import Duration
from bot.matrix.loader import load_text
from bot.reviews.library import load_library
from bot.reviews.schedule import parse_schedule

AREAS = {
    "helpdesk",
    "onsite-hardware",
    "vendors",
    "patching",
    "endpoint-security",
    "security-monitoring",
    "backups",
    "restore-testing",
    "m365",
    "cloud",
    "network",
    "starters-leavers",
    "compliance-docs",
    "strategy",
    "after-hours-monitoring",
    "incident-response",
    "licensing",
}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "matrix.yml"
YEAR_2027 = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))

# the reviews the library must hold -> how many times each falls due in 2027
CADENCES = {
    "backup-check": 52,
    "audit-log-review": 52,
    "patch-verification": 12,
    "service-review": 12,
    "dormant-accounts": 8,
    "restore-test": 4,
    "account-validation": 4,
    "matrix-review": 4,
    "asset-inventory": 2,
    "software-inventory": 2,
    "incident-response-plan-review": 1,
    "provider-contract-review": 1,
    "incident-contacts": 1,
    "pen-test": 1,
}

LIBRARY = load_library()
BY_KEY = {entry["key"]: entry for entry in LIBRARY}


def shortest_gap(text: str) -> timedelta:
    due = parse_schedule(text).occurrences(YEAR_2027[0], YEAR_2027[0].replace(year=2029), "Europe/London")
    return min(later - earlier for earlier, later in itertools.pairwise(due))


def test_entries_are_plain_dicts_with_unique_keys_in_file_order():
    assert all(type(entry) is dict for entry in LIBRARY)
    assert len(BY_KEY) == len(LIBRARY)
    assert (LIBRARY[0]["key"], LIBRARY[-1]["key"]) == ("backup-check", "pen-test")


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda entry: entry["key"])
def test_every_entry_is_a_complete_review(entry):
    assert set(entry) <= {"key", "name", "schedule", "owner", "remind_before", "area", "reference", "grace"}
    assert entry["name"].strip() and entry["reference"].strip()
    assert entry["owner"] in {"internal", "provider"}
    assert entry["area"] in AREAS
    parse_schedule(entry["schedule"])
    after_due = Duration.parse(entry.get("grace", "1d")).to_timedelta()
    # the reminder for the next one never comes before this one has escalated
    assert Duration.parse(entry["remind_before"]).to_timedelta() + after_due < shortest_gap(entry["schedule"])


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda entry: entry["key"])
def test_references_cite_a_standard_or_say_common_practice(entry):
    assert "CIS Controls v8" in entry["reference"] or entry["reference"].startswith("common practice")


@pytest.mark.parametrize("key, times", CADENCES.items())
def test_the_required_reviews_fall_due_at_their_cadence(key, times):
    assert len(parse_schedule(BY_KEY[key]["schedule"]).occurrences(*YEAR_2027, "Europe/London")) == times


def test_dormant_accounts_are_reviewed_every_45_days():
    due = parse_schedule(BY_KEY["dormant-accounts"]["schedule"]).occurrences(*YEAR_2027, "UTC")
    assert {later - earlier for earlier, later in itertools.pairwise(due)} == {timedelta(days=45)}


def test_the_matrix_loader_accepts_the_whole_library():
    yaml = YAML(typ="rt")
    matrix = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    matrix["reviews"] = LIBRARY
    text = StringIO()
    yaml.dump(matrix, text)
    loaded = load_text(text.getvalue(), source="example matrix with the review library")
    assert [review.key for review in loaded.reviews] == [entry["key"] for entry in LIBRARY]
