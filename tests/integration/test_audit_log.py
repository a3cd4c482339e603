"""The audit log on a real database: every event chained, tampering found, appends serialised.

The chain is checked the way an auditor would: `tandem audit-log verify` on the command
line, after editing, deleting and reordering stored rows with plain SQL.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from bot.app.bootstrap import import_file
from bot.audit.chain import verify
from bot.clock import FixedClock
from bot.services import audit_log
from storage.db import MIGRATIONS, Database
from storage.store import Units
from tests.conftest import EXAMPLE, ROOT, fresh_postgres_database
from tests.integration.test_cli import tandem

LAW_FIRM = ROOT / "tests" / "data" / "law_firm.yml"
ORG = "harbour-finch"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def events(db: Database, org: str = ORG):
    with Units(db)() as store:
        return store.audit_events(org), store.audit_head(org)


def append(db: Database, count: int, org: str = ORG, actor: str = "U0ALICE01") -> None:
    for n in range(count):
        with Units(db)() as store:
            store.audit(org, MONDAY + timedelta(minutes=n), actor, "cover.set", "U0BEN0001", {"n": n, "hours": 1.5})


def test_each_organisation_has_its_own_chain(db):
    import_file(db, EXAMPLE, "cli", FixedClock(MONDAY))
    import_file(db, LAW_FIRM, "cli", FixedClock(MONDAY))
    append(db, 3)
    append(db, 2, org="calder-voss", actor="U0DANA001")
    records, head = events(db)
    assert [r.seq for r in records] == [1, 2, 3, 4] and head is not None and head.seq == 4
    assert records[0].kind == "matrix.import" and records[1].prev_hash == records[0].hash
    assert verify(ORG, records, head).ok
    law, law_head = events(db, "calder-voss")
    assert [r.seq for r in law] == [1, 2, 3] and verify("calder-voss", law, law_head).ok


@pytest.fixture
def logged(tmp_path):
    """A CLI database with a matrix and a few events, and a way to run SQL on it."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database(url)
    db.upgrade()
    import_file(db, EXAMPLE, "cli", FixedClock(MONDAY))
    append(db, 4)

    def sql(statement: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(text(statement))

    yield sql
    db.dispose()


def test_verify_passes_an_untouched_log(tmp_path, logged):
    run = tandem(tmp_path, "audit-log", "verify")
    assert run.returncode == 0, run.stderr
    assert "harbour-finch: 5 events, chain intact; head 5 " in run.stdout


def test_verify_names_a_changed_event(tmp_path, logged):
    logged('UPDATE audit_events SET detail = \'{"n": 1, "hours": 0.5}\' WHERE seq = 3')
    run = tandem(tmp_path, "audit-log", "verify")
    assert run.returncode == 1
    assert "the audit log was tampered with: event 3 (" in run.stdout and "changed after it was recorded" in run.stdout


def test_verify_names_a_removed_event(tmp_path, logged):
    logged("DELETE FROM audit_events WHERE seq = 2")
    run = tandem(tmp_path, "audit-log", "verify", "--org", ORG)
    assert run.returncode == 1 and "event 3 (" in run.stdout and "event 2 before it is missing" in run.stdout


def test_verify_names_the_newest_event_removed(tmp_path, logged):
    logged("DELETE FROM audit_events WHERE seq = 5")
    run = tandem(tmp_path, "audit-log", "verify")
    assert run.returncode == 1 and "event 5 at the end of the log is missing" in run.stdout


def test_verify_names_reordered_events(tmp_path, logged):
    logged("UPDATE audit_events SET seq = -1 WHERE seq = 2")
    logged("UPDATE audit_events SET seq = 2 WHERE seq = 3")
    logged("UPDATE audit_events SET seq = 3 WHERE seq = -1")
    run = tandem(tmp_path, "audit-log", "verify")
    assert run.returncode == 1 and "event 2 (" in run.stdout


def test_export_writes_every_event_with_its_links(tmp_path, logged):
    run = tandem(tmp_path, "audit-log", "export", "--format", "json")
    assert run.returncode == 0, run.stderr
    [org] = json.loads(run.stdout)["organisations"]
    assert org["organisation"] == ORG and org["head"]["seq"] == 5 and len(org["events"]) == 5
    first = org["events"][0]
    assert first["kind"] == "matrix.import" and first["actor"] == "cli" and first["prev_hash"] == "0" * 64
    assert org["events"][1]["actor_name"] == "Alice Moss" and org["events"][1]["detail"] == {"n": 0, "hours": 1.5}
    csv = tandem(tmp_path, "audit-log", "export", "--since", "2026-11-23")
    lines = csv.stdout.splitlines()
    assert lines[0] == "organisation,seq,at,actor,actor_name,kind,subject,detail,prev_hash,hash" and len(lines) == 6
    unknown = tandem(tmp_path, "audit-log", "export", "--org", "nobody")
    assert unknown.returncode == 1 and "No organisation 'nobody'. Loaded: harbour-finch." in unknown.stderr


def test_an_upgrade_chains_the_events_recorded_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        connection.execute(
            text(
                "INSERT INTO organisations (id, key, name, timezone, business_days, business_start, business_end,"
                " digest_time, sla_default, sla_warn_at, matrix_version) VALUES"
                " (1, 'harbour-finch', 'H&F', 'Europe/London', 'mon-fri', '08:00', '18:00', '08:30', 'P3', '[]', 1)"
            )
        )
        for n, at in enumerate(("2026-11-02 10:00:00.000000", "2026-11-01 09:00:00.000000")):
            connection.execute(
                text(
                    "INSERT INTO audit_events (organisation_id, at, actor, kind, subject, detail)"
                    f" VALUES (1, '{at}', 'cli', 'matrix.import', 'harbour-finch', '{{\"n\": {n}}}')"
                )
            )
    db.upgrade()
    records, head = events(db)
    assert [r.detail["n"] for r in records] == [1, 0] and [r.seq for r in records] == [1, 2]  # in time order
    assert verify(ORG, records, head).ok
    append(db, 1)
    records, head = events(db)
    assert records[-1].seq == 3 and verify(ORG, records, head).ok
    db.dispose()


@pytest.mark.postgres
def test_replicas_appending_at_once_keep_one_unbroken_chain():
    with fresh_postgres_database() as url:
        setup = Database(url)
        setup.upgrade()
        import_file(setup, EXAMPLE, "cli", FixedClock(MONDAY))
        replicas = [Database(url) for _ in range(4)]
        start = threading.Barrier(len(replicas))
        failures: list[BaseException] = []

        def work(db: Database, who: str) -> None:
            start.wait()
            try:
                append(db, 15, actor=who)
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)

        threads = [
            threading.Thread(target=work, args=(db, who))
            for db, who in zip(replicas, ("U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        records, head = events(setup)
        assert [r.seq for r in records] == list(range(1, 62)) and head is not None and head.seq == 61
        assert verify(ORG, records, head).ok
        with Units(setup)() as store:
            assert audit_log.check(store, ORG).ok
        for db in (setup, *replicas):
            db.dispose()
