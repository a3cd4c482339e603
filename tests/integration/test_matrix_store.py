"""Import, re-import, export and the audit trail, on a real SQLite database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text as sql

from bot.app.bootstrap import import_file
from bot.errors import MatrixError
from bot.matrix.export import export_text
from bot.matrix.loader import load_text
from bot.outbox import held_for
from storage.store import Store
from tests.conftest import EXAMPLE


def stored(db, org="harbour-finch"):
    with db.session() as session:
        store = Store(session)
        return store.load_matrix(org), store.matrix_version(org), store.audit_events(org, "matrix.")


def test_import_stores_exactly_the_file(db, clock, example_matrix):
    org, changes = import_file(db, EXAMPLE, "cli", clock)
    assert org == "harbour-finch" and "17 areas" in changes[0]
    matrix, version, events = stored(db)
    assert matrix == example_matrix and version == 1
    assert [(e.kind, e.actor) for e in events] == [("matrix.import", "cli")]


def test_reimporting_the_same_file_changes_nothing(db, clock):
    import_file(db, EXAMPLE, "cli", clock)
    clock.advance(timedelta(hours=1))
    assert import_file(db, EXAMPLE, "cli", clock) == ("harbour-finch", [])
    _, version, events = stored(db)
    assert version == 1 and len(events) == 1


def test_a_changed_file_records_what_changed(db, clock, tmp_path):
    import_file(db, EXAMPLE, "cli", clock)
    changed = tmp_path / "m.yml"
    changed.write_text(
        EXAMPLE.read_text().replace(
            "  - key: backups\n    name: Backups\n    aliases: [backup, backup jobs, veeam, offsite copies]\n    responsible: provider",
            "  - key: backups\n    name: Backups\n    aliases: [backup, backup jobs, veeam, offsite copies]\n    responsible: internal",
        )
    )
    clock.advance(timedelta(days=1))
    _, changes = import_file(db, changed, "U0ALICE01", clock)
    assert changes == ["area 'backups' responsible: provider → internal"]
    matrix, version, events = stored(db)
    assert matrix.area("backups").responsible == ("internal",) and version == 2
    assert events[-1].detail == {"changes": changes} and events[-1].actor == "U0ALICE01"


def test_an_invalid_file_leaves_the_loaded_matrix_untouched(db, clock, tmp_path, example_matrix):
    import_file(db, EXAMPLE, "cli", clock)
    bad = tmp_path / "bad.yml"
    bad.write_text(
        EXAMPLE.read_text().replace(
            "responsible: provider\n    accountable: U0PRIYA01\n    informed",
            "responsible: nobody\n    accountable: U0PRIYA01\n    informed",
            1,
        )
    )
    with pytest.raises(MatrixError):
        import_file(db, bad, "cli", clock)
    matrix, version, _ = stored(db)
    assert matrix == example_matrix and version == 1


def test_export_imports_back_to_the_same_matrix(db, clock, example_matrix):
    import_file(db, EXAMPLE, "cli", clock)
    matrix, _, _ = stored(db)
    text = export_text(matrix)
    assert load_text(text) == example_matrix
    assert export_text(load_text(text)) == text


def test_business_hours_per_day_are_stored_whole(db, clock, tmp_path):
    text = EXAMPLE.read_text().replace(
        'business_hours: {days: mon-fri, start: "08:00", end: "18:00"}',
        "business_hours:\n"
        '  - {days: mon-fri, start: "08:30", end: "12:30"}\n'
        '  - {days: mon-fri, start: "13:30", end: "17:30"}\n'
        '  - {days: sat, start: "09:00", end: "13:00"}',
    )
    path = tmp_path / "split.yml"
    path.write_text(text)
    import_file(db, path, "cli", clock)
    matrix, _, events = stored(db)
    assert matrix == load_text(text) and len(matrix.business_hours) == 3
    import_file(db, EXAMPLE, "cli", clock)  # back to one line
    again, _, events = stored(db)
    assert len(again.business_hours) == 1 and "business_hours changed" in events[-1].detail["changes"]


def test_workspaces_are_stored_exported_and_bound_to_their_organisation(db, clock, tmp_path):
    bound = EXAMPLE.read_text().replace("channel: C0SHARED01\n", "channel: C0SHARED01\nteam: T0HOST0001\n")
    bound = bound.replace("    name: Red Kite IT\n", "    name: Red Kite IT\n    teams: [T0MSP00001]\n")
    other = bound.replace("organisation: harbour-finch", "organisation: osprey").replace("C0SHARED01", "C0OSPREY01")
    other = other.replace("T0HOST0001", "T0OSPREY01").replace("T0MSP00001", "T0MSP00002")
    for name, text in (("a.yml", bound), ("b.yml", other)):
        (tmp_path / name).write_text(text)
        import_file(db, tmp_path / name, "cli", clock)
    with db.session() as session:
        store = Store(session)
        matrix = store.load_matrix("harbour-finch")
        assert matrix == load_text(bound) and load_text(export_text(matrix)) == matrix
        assert store.locate("C0OSPREY01", None, "T0HOST0001")[0] == "osprey"  # the channel decides
        assert store.locate(None, "U0ALICE01", "T0MSP00001")[0] == "harbour-finch"
        assert store.locate(None, "U0ALICE01", "T0MSP00002")[0] == "osprey"
        assert store.locate(None, "U0ALICE01") is None  # in both, and no workspace to choose by
        assert store.locate(None, "U0NOBODY1", "T0OTHER001") is None


def test_naming_the_workspace_in_a_reimport_releases_the_posts_held_for_want_of_one(db, clock, tmp_path):
    """Installed by OAuth, a matrix without `team:` has nowhere to post, so its posts are held;
    the sentence says to add `team:` and import again, and that import lets them go."""
    import_file(db, EXAMPLE, "cli", clock)
    with db.session() as session:
        store = Store(session)
        store.enqueue(
            "harbour-finch", "digest:harbour-finch:daily:2026-12-01", "digest", {"kind": "daily"}, clock.now()
        )
        store.hold("digest:harbour-finch:daily:2026-12-01", held_for(None), "no `team:`")
    named = tmp_path / "m.yml"
    named.write_text(EXAMPLE.read_text().replace("channel: C0SHARED01\n", "channel: C0SHARED01\nteam: T0HOST0001\n"))
    import_file(db, named, "cli", clock)
    with db.session() as session:
        [(status, attempts)] = session.execute(
            sql("SELECT status, attempts FROM outbox WHERE key = 'digest:harbour-finch:daily:2026-12-01'")
        ).all()
    assert (status, attempts) == ("pending", 0)
