"""The command line as scripts use it: exit status, messages, files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from bot.matrix.loader import load_file
from tests.conftest import EXAMPLE


def tandem(tmp_path, *args: str, db: str = "cli.db", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / db}", **(env or {})}
    env.pop("TANDEM_MATRIX", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_import_reimport_export_and_audit(tmp_path):
    first = tandem(tmp_path, "matrix", "import", str(EXAMPLE))
    assert first.returncode == 0 and "matrix loaded, 1 change(s)" in first.stdout
    again = tandem(tmp_path, "matrix", "import", str(EXAMPLE))
    assert again.returncode == 0 and "already up to date; nothing changed" in again.stdout
    exported = tandem(tmp_path, "matrix", "export", "-o", "out.yml")
    assert exported.returncode == 0
    assert tandem(tmp_path, "matrix", "import", str(tmp_path / "out.yml")).stdout.endswith("nothing changed.\n")
    audit = tandem(tmp_path, "matrix", "audit")
    assert audit.returncode == 0 and "No gaps in harbour-finch" in audit.stdout


def test_bad_file_exits_1_with_line_and_field(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(EXAMPLE.read_text().replace("timezone: Europe/London", "timezone: Mars/Olympus"))
    run = tandem(tmp_path, "matrix", "import", str(bad))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"{bad}:6: timezone = 'Mars/Olympus': unknown time zone" in run.stderr


def test_audit_of_a_file_with_gaps_exits_1(tmp_path):
    gappy = tmp_path / "gappy.yml"
    gappy.write_text(
        EXAMPLE.read_text().replace(
            "    responsible: shared\n    lead: provider\n    accountable: U0ALICE01\n    escalation",
            "    responsible: shared\n    accountable: U0ALICE01\n    escalation",
        )
    )
    run = tandem(tmp_path, "matrix", "audit", "--file", str(gappy))
    assert run.returncode == 1 and "area restore-testing: responsibility is shared but nobody leads" in run.stdout


def test_init_writes_a_starter_that_imports_with_the_review_library(tmp_path):
    run = tandem(tmp_path, "matrix", "init", "starter.yml", "--org", "acme", "--name", "Acme Dental")
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "starter.yml").read_text()
    assert "CIS Controls v8 11.5" in text and "dormant" in text.lower()
    assert tandem(tmp_path, "matrix", "import", "starter.yml").returncode == 0
    assert tandem(tmp_path, "matrix", "init", "starter.yml").returncode == 1  # never overwrites


def test_init_writes_a_new_client_from_the_providers_template(tmp_path):
    template = EXAMPLE.read_text().replace(
        "    name: Red Kite IT\n", "    name: Red Kite IT\n    teams: [T0MSP00001]\n"
    )
    (tmp_path / "redkite.yml").write_text(template)
    args = ["--org", "osprey", "--name", "Osprey Legal", "--timezone", "America/New_York"]
    where = ["--channel", "C0OSPREY01", "--team", "T0OSPREY01"]
    run = tandem(tmp_path, "matrix", "init", "osprey.yml", *args, *where, "--from", "redkite.yml")
    assert run.returncode == 0, run.stderr
    written = load_file(tmp_path / "osprey.yml")
    source = load_file(tmp_path / "redkite.yml")
    assert (written.organisation, written.name, written.timezone) == ("osprey", "Osprey Legal", "America/New_York")
    assert (written.channel, written.team) == ("C0OSPREY01", "T0OSPREY01")
    assert written.side("provider") == source.side("provider") and written.areas == source.areas
    assert written.side("internal").name == "Osprey Legal IT" and written.reviews == source.reviews
    assert tandem(tmp_path, "matrix", "import", "osprey.yml").returncode == 0

    starter = tandem(tmp_path, "matrix", "init", "new.yml", "--org", "calder", *where)
    assert starter.returncode == 0, starter.stderr
    assert (load_file(tmp_path / "new.yml").channel, load_file(tmp_path / "new.yml").team) == (
        "C0OSPREY01",
        "T0OSPREY01",
    )

    wrong = tandem(tmp_path, "matrix", "init", "bad.yml", "--org", "x", "--team", "redkite", "--channel", "general")
    assert wrong.returncode == 1 and not (tmp_path / "bad.yml").exists()
    assert "team = 'redkite': expected a Slack team id" in wrong.stderr and "channel = 'general'" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_export_handoffs_csv_and_json(tmp_path):
    script = "/handoff P2 provider: rotate the VPN certificate\n"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    subprocess.run(
        [sys.executable, "-m", "bot", "console", "--matrix", str(EXAMPLE), "--at", "2026-12-01T10:00:00+00:00"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    csv_run = tandem(tmp_path, "export", "handoffs", "--since", "2026-11-01")
    assert csv_run.returncode == 0
    header, row = csv_run.stdout.splitlines()
    assert header.startswith("id,kind,priority,area,summary,requester")
    assert "rotate the VPN certificate" in row and "Alice Moss (U0ALICE01)" in row
    data = json.loads(tandem(tmp_path, "export", "handoffs", "--since", "2026-11-01", "--format", "json").stdout)
    [handoff] = data["handoffs"]
    assert handoff["priority"] == "P2" and handoff["events"][0]["action"] == "open"
    assert tandem(tmp_path, "export", "handoffs", "--since", "last tuesday").returncode == 1


def test_tick_without_a_token_says_which_variable(tmp_path):
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "tick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (
        run.returncode == 1 and "SLACK_BOT_TOKEN is not set" in run.stderr and "SLACK_SIGNING_SECRET" not in run.stderr
    )


def test_import_announces_changes_in_the_channel(tmp_path):
    from tests.support.slack_standin import SlackStandIn

    tandem(tmp_path, "matrix", "import", str(EXAMPLE))
    changed = tmp_path / "changed.yml"
    changed.write_text(EXAMPLE.read_text().replace("name: Harbour & Finch Architects", "name: Harbour and Finch"))
    with SlackStandIn() as standin:
        env = {**os.environ, **standin.env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
        run = subprocess.run(
            [sys.executable, "-m", "bot", "matrix", "import", str(changed), "--announce"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        [post] = standin.calls("chat.postMessage")
    assert post["channel"] == "C0SHARED01" and "matrix of Harbour and Finch changed (1 change" in post["text"]
    assert "name changed" in str(post.blocks)


def test_an_accountable_side_is_refused_at_load_with_its_line(tmp_path):
    sided = tmp_path / "sided.yml"
    sided.write_text(
        EXAMPLE.read_text().replace(
            "responsible: provider\n    accountable: U0PRIYA01\n    informed: [internal]\n    escalation",
            "responsible: provider\n    accountable: internal\n    informed: [internal]\n    escalation",
        )
    )
    line = next(i for i, text in enumerate(sided.read_text().splitlines(), 1) if "accountable: internal" in text)
    run = tandem(tmp_path, "matrix", "import", str(sided))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"{sided}:{line}: areas[3].accountable = 'internal': 'accountable' names one person, not a side" in (
        run.stderr
    )
    assert "e.g. U0ALICE01" in run.stderr
    assert tandem(tmp_path, "matrix", "audit", "--file", str(sided)).returncode == 1


def test_placeholders_and_a_missing_channel_warn_on_import_and_are_gaps(tmp_path):
    assert tandem(tmp_path, "matrix", "init", "starter.yml", "--name", "Calder Voss LLP").returncode == 0
    run = tandem(tmp_path, "matrix", "import", "starter.yml")
    assert run.returncode == 0 and "matrix loaded" in run.stdout
    assert "Warning: starter.yml:1: channel: no 'channel': handoffs, reminders and digests are posted" in run.stderr
    assert "sides.internal.people[0].slack = 'U0CHANGEME1': a placeholder from tandem matrix init" in run.stderr
    assert "sides.provider.people[0].slack = 'U0CHANGEME2': a placeholder" in run.stderr
    audit = tandem(tmp_path, "matrix", "audit")
    assert audit.returncode == 1 and "No gaps" not in audit.stdout
    assert "organisation my-org: names no shared channel" in audit.stdout
    assert "person Internal IT lead (U0CHANGEME1): is a placeholder from tandem matrix init" in audit.stdout
    assert "person Provider service manager (U0CHANGEME2): is a placeholder" in audit.stdout
    again = tandem(tmp_path, "matrix", "import", "starter.yml")  # nothing changed, but still not right
    assert "nothing changed" in again.stdout and "U0CHANGEME1" in again.stderr


def test_export_keeps_the_original_target_apart_from_the_current_one(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("TANDEM_MATRIX", None)
    script = "/handoff P2 provider: rotate the VPN certificate\n:as priya\n:press hand_back 1 needs your approval\n"
    subprocess.run(
        [sys.executable, "-m", "bot", "console", "--matrix", str(EXAMPLE), "--at", "2026-12-01T10:00:00+00:00"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )

    def exported() -> dict[str, str]:
        run = tandem(tmp_path, "export", "handoffs", "--since", "2026-11-01")
        assert run.returncode == 0, run.stderr
        [row] = list(csv.DictReader(io.StringIO(run.stdout)))
        return row

    row = exported()
    assert list(row)[-2:] == ["original_target", "original_target_side"]  # added last: columns keep their places
    assert (row["target"], row["target_side"], row["status"]) == ("U0ALICE01", "internal", "handed_back")
    assert (row["original_target"], row["original_target_side"]) == ("Red Kite IT (provider)", "provider")
    # a database from before the columns: the upgrade fills them in from the audit trail
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS, Database

    db = Database(env["DATABASE_URL"])
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = next(
        r.down_revision for r in ScriptDirectory.from_config(config).walk_revisions() if "original_target" in r.doc
    )
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, before)
    db.dispose()
    assert exported() == row


def test_exports_show_when_both_sides_last_confirmed_each_area(tmp_path):
    assert tandem(tmp_path, "matrix", "import", str(EXAMPLE)).returncode == 0
    unconfirmed = tandem(tmp_path, "matrix", "export", "--format", "csv")
    assert {r["last confirmed"] for r in csv.DictReader(io.StringIO(unconfirmed.stdout))} == {
        "not confirmed by both sides"
    }
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("TANDEM_MATRIX", None)
    script = "/tandem confirm\n:as priya\n/tandem confirm\n"
    console = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert console.returncode == 0 and "1 now confirmed by both sides" in console.stdout, console.stdout
    rows = list(csv.DictReader(io.StringIO(tandem(tmp_path, "matrix", "export", "--format", "csv").stdout)))
    backups = next(r for r in rows if r["area"] == "backups")
    assert backups["last confirmed"].endswith(" by Alice Moss (U0ALICE01) and Priya Shah (U0PRIYA01)")
    markdown = tandem(tmp_path, "matrix", "export", "--format", "markdown").stdout
    assert "by Alice Moss and Priya Shah |" in markdown
    exported = tandem(tmp_path, "matrix", "export", "-o", "out.yml")
    assert exported.returncode == 0
    assert "- key: backups  # last confirmed " in (tmp_path / "out.yml").read_text()
    assert tandem(tmp_path, "matrix", "import", str(tmp_path / "out.yml")).stdout.endswith("nothing changed.\n")
