"""The console as a user runs it: a subprocess reading a script from stdin."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import EXAMPLE


def console(tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    env.pop("TANDEM_MATRIX", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--matrix", str(EXAMPLE), *args],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_owner_question_in_business_hours(tmp_path):
    run = console(tmp_path, "/owner backups\n", "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Alice Moss> /owner backups" in out
    assert "Backups" in out and "On duty now (business hours): @Priya Shah, @Sam Lee, @Tom Reyes, @Red Kite NOC" in out
    assert "Accountable: @Alice Moss" in out and "[Start a handoff]" in out
    assert "only you can see this" in out


def test_mention_after_hours_cover_and_help(tmp_path):
    script = (
        "@tandem who owns the label printer jam?\n"
        "/tandem cover @alice until 2026-11-27 by @ben\n"
        "/owner vendors\n"
        ":as priya\n"
        "make me a sandwich\n"
    )
    run = console(tmp_path, script, "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "On-site hardware and peripherals" in out
    assert "@Alice Moss is away until Sat 28 Nov 00:00 GMT. @Ben Ode covers." in out
    assert "On duty now (business hours): @Ben Ode" in out
    assert "(now acting as Priya Shah)" in out and "Priya Shah> make me a sandwich" in out
    assert "I didn't understand “make me a sandwich”" in out


def test_audit_matrix_and_bad_input(tmp_path):
    run = console(
        tmp_path, "/tandem audit\n/tandem matrix\n/handoff P9 something\n/tandem cover @alice until someday\n"
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "No gaps" in out
    assert "Responsibility matrix — Harbour & Finch Architects" in out
    assert "P9 is not a priority: use P1 (critical) to P4 (low)" in out
    assert "'someday' is not a date I can read" in out


def test_console_without_a_matrix_says_how_to_load_one(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"}
    env.pop("TANDEM_MATRIX", None)
    run = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="/owner x\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1 and "tandem console --matrix examples/matrix.yml" in run.stderr


def test_buttons_from_the_terminal(tmp_path):
    script = "/handoff P2 provider: firewall rule\n:as priya\n:press acknowledge 1\n:as cara\n:press resolve 1 nope\n"
    run = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "[#C0SHARED01 message 1.000000]" in out and "Respond: due Tue 01 Dec 11:00 GMT (0% used)" in out
    assert "@Priya Shah, @Sam Lee, @Tom Reyes, @Red Kite NOC: new handoff from @Alice Moss, P2." in out
    assert "[#C0SHARED01 message 1.000000 updated]" in out and "@Priya Shah acknowledged it." in out
    refusal = out.split("Cara Diaz> :press resolve 1 nope")[1]
    assert "Only @Priya Shah, @Alice Moss (who asked) or an admin can resolve this handoff" in refusal


def test_leave_is_recorded_by_the_same_side_or_an_admin(tmp_path):
    script = ":as sam\n/tandem cover @alice until 2026-12-04\n:as priya\n/tandem cover @alice until 2026-12-04\n"
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    sam, priya = out.split("Priya Shah> ")
    assert "Only @Alice Moss's own side or a matrix admin can record their leave." in sam
    assert "@Alice Moss is away until Sat 05 Dec 00:00 GMT. Nobody covers" in priya


def test_times_show_the_organisations_zone(tmp_path):
    script = "/handoff P2 provider: the door badge reader is offline\n"
    out = console(tmp_path, script, "--at", "2026-07-01T09:00:00+00:00").stdout
    assert "Respond: due Wed 01 Jul 11:00 BST (0% used)" in out  # 10:00 BST plus an hour
    assert "Respond by Wed 01 Jul 11:00 BST." in out and "<!date" not in out
