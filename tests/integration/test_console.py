"""The console as a user runs it: a subprocess reading a script from stdin."""

from __future__ import annotations

import os
import re
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
    assert "@Alice Moss is away until the end of Fri 27 Nov. @Ben Ode covers." in out
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
    assert "@Alice Moss is away until the end of Fri 04 Dec. Nobody covers" in priya


def test_times_show_the_organisations_zone(tmp_path):
    script = "/handoff P2 provider: the door badge reader is offline\n"
    out = console(tmp_path, script, "--at", "2026-07-01T09:00:00+00:00").stdout
    assert "Respond: due Wed 01 Jul 11:00 BST (0% used)" in out  # 10:00 BST plus an hour
    assert "Respond by Wed 01 Jul 11:00 BST." in out and "<!date" not in out


LAW_FIRM = EXAMPLE.parents[1] / "tests" / "data" / "law_firm.yml"


def answer_to(out: str, line: str) -> str:
    """What the console printed after the script line `line`, up to the next prompt."""
    tail = out.split(f"> {line}\n", 1)[1]
    return re.split(r"^[^\n>]+> ", tail, maxsplit=1, flags=re.M)[0]


def test_at_runs_the_due_work_so_warnings_and_breaches_appear(tmp_path):
    script = (
        "/handoff P1 provider: the firewall is down\n"
        ":at 2026-12-01T10:12:00Z\n"  # 75% of the 15-minute first response
        ":tick\n"  # nothing more is due at the same moment
        ":at 2026-12-01T10:16Z\n"  # breached
    )
    run = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    warned, again = answer_to(run.stdout, ":at 2026-12-01T10:12:00Z"), answer_to(run.stdout, ":tick")
    breached = answer_to(run.stdout, ":at 2026-12-01T10:16Z")
    assert "[#C0SHARED01 thread 1.000000]" in warned and "75% of the first response time of" in warned
    assert "(clock set to Tue 01 Dec 10:12 GMT (Europe/London), 10:12 UTC)" in warned and "1 posted" in warned
    assert "nothing was due" in again
    assert "the first response target of" in breached and "is breached" in breached
    assert "SLA breach:" in breached and "escalation: @Priya Shah" in breached
    # the root message people look at moves with the clock: refreshed at each threshold
    assert "[#C0SHARED01 message 1.000000 updated]" in warned and "1 posted, 1 updated" in warned
    assert "Respond: due Tue 01 Dec 10:15 GMT (80% used)" in warned
    assert "[#C0SHARED01 message 1.000000 updated]" in breached
    assert "Respond: :red_circle: breached (was due Tue 01 Dec 10:15 GMT)" in breached


def test_at_reads_a_time_on_the_organisations_clock_when_it_has_no_offset(tmp_path):
    script = ":at 2026-07-01 22:00\n:at 08:15\n:at 2026-07-01T22:00Z\n:at tomorrow\n"
    run = console(tmp_path, script)
    assert run.returncode == 0, run.stderr
    assert "(clock set to Wed 01 Jul 22:00 BST (Europe/London), 21:00 UTC)" in answer_to(
        run.stdout, ":at 2026-07-01 22:00"
    )
    assert "(clock set to Wed 01 Jul 08:15 BST (Europe/London), 07:15 UTC)" in answer_to(run.stdout, ":at 08:15")
    assert "(clock set to Wed 01 Jul 23:00 BST (Europe/London), 22:00 UTC)" in run.stdout
    assert "(':at' needs a date and time, e.g. 2026-12-25 22:00" in answer_to(run.stdout, ":at tomorrow")


def test_at_sets_the_clock_without_starting_with_at(tmp_path):
    run = console(tmp_path, ":at 2026-12-25T23:30+00:00\n/owner backups\n")
    assert run.returncode == 0, run.stderr
    assert "start the console with --at" not in run.stdout
    assert "(clock set to Fri 25 Dec 23:30 GMT (Europe/London)" in run.stdout
    assert "On duty now (holiday" in run.stdout or "after hours" in run.stdout


def test_press_takes_the_short_names_of_the_buttons(tmp_path):
    script = (
        "/handoff P2 provider: printer queue stuck\n"
        ":as priya\n:press ack 1\n:press take-it 1\n:press wait 1\n:press resume 1\n:press back 1\n"
    )
    run = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "write it as :press" not in out
    assert "@Priya Shah acknowledged it." in out and "@Priya Shah took it." in out
    assert "handed it back" in out


def test_org_picks_the_organisation_when_several_are_loaded(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    env.pop("TANDEM_MATRIX", None)
    for path in (EXAMPLE, LAW_FIRM):
        subprocess.run(
            [sys.executable, "-m", "bot", "matrix", "import", str(path)], env=env, cwd=tmp_path, check=True, timeout=60
        )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "console", *args],
            input="/owner imanage\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )

    law = run("--org", "calder-voss", "--at", "2026-12-01T15:00Z")
    assert law.returncode == 0, law.stderr
    assert "Dana Whit> /owner imanage" in law.stdout and "Document management (iManage)" in law.stdout
    ambiguous = run()
    assert ambiguous.returncode == 1
    assert "Several organisations are loaded" in ambiguous.stderr and "--org calder-voss" in ambiguous.stderr
    unknown = run("--org", "nope")
    assert unknown.returncode == 1 and "No organisation 'nope'" in unknown.stderr


def test_status_shows_the_whole_handoff_without_its_buttons(tmp_path):
    script = (
        "/handoff P2 provider: firewall rule for the new VPN\n"
        "/handoff P3 provider: replace the reception monitor\n"
        ":as priya\n:press take 1\n:press resolve 1 opened 443 to the VPN concentrator\n:press resolve 2\n"
        ":as alice\n@tandem status 1\n@tandem status 2\n"
    )
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    first, second = out.split("Alice Moss> @tandem status ")[1:]
    for status, summary in ((first, "firewall rule for the new VPN"), (second, "replace the reception monitor")):
        assert summary in status and "Status: :white_check_mark: Resolved" in status
        assert "Status of #" in status and "Opened Tue 01 Dec 10:00 GMT" in status and "[Resolve]" not in status
    assert "Resolution: opened 443 to the VPN concentrator" in first


def test_only_a_side_a_group_an_area_or_a_mention_is_a_handoff_target(tmp_path):
    script = (
        "/handoff URGENT: email is down for everyone\n"
        "/handoff ask @ben to sort the dock\n"
        "/handoff backups: last night's job failed\n"
        "/handoff vpn: drops every hour\n"
        "/handoff provider.soc: odd logins from abroad\n"
        "/handoff provider.nope: anything\n"
        "/handoff note: the printer is out of toner\n"
    )
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    assert "is not in the matrix" not in out
    urgent = answer_to(out, "/handoff URGENT: email is down for everyone")
    assert "URGENT: email is down for everyone" in urgent and "To: Red Kite IT (provider)" in urgent
    dock = answer_to(out, "/handoff ask @ben to sort the dock")
    assert "ask @Ben Ode to sort the dock" in dock and "<@" not in dock
    backups = answer_to(out, "/handoff backups: last night's job failed")
    assert "\nlast night's job failed\n" in backups and "To: Red Kite IT (provider) · Backups" in backups
    assert "To: Red Kite IT (provider) · Network and firewall" in answer_to(out, "/handoff vpn: drops every hour")
    assert "To: Red Kite IT soc group" in answer_to(out, "/handoff provider.soc: odd logins from abroad")
    assert "has no group 'nope' (groups: provider.soc, provider.helpdesk)" in answer_to(
        out, "/handoff provider.nope: anything"
    )
    assert "note: the printer is out of toner" in answer_to(out, "/handoff note: the printer is out of toner")


def test_area_colon_key_as_the_usage_line_writes_it_names_an_area_or_is_refused(tmp_path):
    script = (
        "/handoff P2 area:backups last night's job failed\n/handoff area:bakups the job failed\n/handoff area:vpn\n"
    )
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    backups = answer_to(out, "/handoff P2 area:backups last night's job failed")
    assert "\nlast night's job failed\n" in backups and "To: Red Kite IT (provider) · Backups" in backups
    typo = answer_to(out, "/handoff area:bakups the job failed")
    assert "No area of the matrix is called 'bakups'. Closest: backups" in typo and "Handoff #" not in typo
    assert "Say what the handoff for Network and firewall is about" in answer_to(out, "/handoff area:vpn")


def test_the_weekly_digest_counts_open_breaches_and_explains_its_trend(tmp_path):
    script = (
        ":as priya\n"
        "/handoff P2 internal: the door badges stopped working\n"
        "/handoff P2 internal: the kitchen screen shows the wrong rota\n"
        "/handoff P2 internal: new starter has no desk phone\n"
        ":as alice\n"
        ":at 2026-11-30T09:00Z\n"  # Monday: the weekly digest of the week of 23 Nov goes out
    )
    out = console(tmp_path, script, "--at", "2026-11-23T09:00:00+00:00").stdout
    weekly = out.split("Weekly SLA digest — week of 23 Nov 2026")[1]
    assert "• Harbour & Finch IT: 0/3 (0%)" in weekly and "—" not in weekly.split("SLA met, weeks of")[0]
    assert "SLA met, weeks of 05 Oct to 23 Nov (oldest first; █ = 100%, ▁ = 0%, · = none decided)" in weekly
    assert "`·······▁` · week of 23 Nov: 0% met" in weekly


def test_an_empty_week_says_so_in_words(tmp_path):
    out = console(tmp_path, "/tandem digest weekly\n", "--at", "2026-12-01T10:00:00+00:00").stdout
    assert "No handoff was resolved or breached its SLA in the week of 23 Nov: nothing to measure." in out
    assert "Harbour & Finch IT: —" not in out and "week of 23 Nov: nothing decided" in out


def test_arguments_are_used_or_refused_by_name_never_ignored(tmp_path):
    script = (
        "/handoff P2 provider: the VPN drops every hour\n"
        ":as priya\n/handoff P3 internal: the badge reader at the back door\n:as alice\n"
        ":at 2026-12-01T12:00Z\n"  # the VPN one is past its 1-hour first response
        "/tandem sla breached\n/tandem sla mine\n/tandem sla internal\n/tandem sla provider breached\n"
        "/tandem sla urgent\n/tandem digest monthly\n/tandem matrix network\n/tandem matrix coffee machine\n"
        "/tandem gaps please\n/tandem reviews all\n"
    )
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    breached = answer_to(out, "/tandem sla breached")
    assert "1 breached open handoff" in breached and "VPN" in breached and "badge" not in breached
    mine = answer_to(out, "/tandem sla mine")
    assert "1 open handoff of yours, 1 breached" in mine and "badge" not in mine
    internal = answer_to(out, "/tandem sla internal")
    assert "1 open handoff with Harbour & Finch IT (internal), 0 breached" in internal and "badge" in internal
    assert "1 breached open handoff with Red Kite IT (provider)" in answer_to(out, "/tandem sla provider breached")
    assert "'urgent' is not something I can list handoffs by: /tandem sla [breached] [mine]" in answer_to(
        out, "/tandem sla urgent"
    )
    monthly = answer_to(out, "/tandem digest monthly")
    assert "There is no 'monthly' digest" in monthly and "Posted the digest" not in monthly
    network = answer_to(out, "/tandem matrix network")
    assert "Network and firewall\n====" in network and "Informed: Harbour & Finch IT (internal)" in network
    assert "Also called: firewall, vpn" in network and "Patch management" not in network
    assert "No area of the matrix matches 'coffee machine'. `/tandem matrix` lists every area." in out
    assert "`/tandem gaps` takes nothing after it" in answer_to(out, "/tandem gaps please")
    assert "`/tandem reviews` takes nothing after it" in answer_to(out, "/tandem reviews all")


def test_phrasing_people_use_is_understood_and_thanks_gets_a_line(tmp_path):
    script = (
        "who's on call for backups\nwho’s on call for backups?\nwhos responsible for patching\n"
        "who owns office365\nthanks!\n/owner coffee machine\nwho is on call?\n/owner\n"
    )
    out = console(tmp_path, script, "--at", "2026-12-01T10:00:00+00:00").stdout
    assert "I didn't understand" not in out
    for line in ("who's on call for backups", "who’s on call for backups?"):
        assert answer_to(out, line).startswith("[only you can see this]\nBackups\n")
    assert "Patch management\n" in answer_to(out, "whos responsible for patching")
    assert "Microsoft 365 administration\n" in answer_to(out, "who owns office365")
    assert answer_to(out, "thanks!") == "[only you can see this]\n:+1: You're welcome.\n"
    coffee = answer_to(out, "/owner coffee machine")
    assert "No area in the matrix matches “coffee machine”." in coffee and "Closest" not in coffee
    for line in ("who is on call?", "/owner"):  # how to ask about one thing, not the whole help
        asked = answer_to(out, line)
        assert "`@tandem who is on call for backups`" in asked and "`/tandem rota`" in asked
        assert "/tandem digest" not in asked


def test_an_at_name_finds_a_person_whatever_the_accents(tmp_path):
    accented = tmp_path / "accented.yml"
    accented.write_text(EXAMPLE.read_text().replace("name: Ben Ode}", "name: Bén Ódé}"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    env.pop("TANDEM_MATRIX", None)
    run = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--matrix", str(accented), "--at", "2026-12-01T10:00:00+00:00"],
        input="/handoff ask @ben to sort the dock\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert "ask @Bén Ódé to sort the dock" in run.stdout, run.stdout + run.stderr


def test_held_overflow_is_approved_or_declined_with_press(tmp_path):
    script = (
        ":as ben\n"
        "/overflow firewall rule for the new VPN\n"
        ":press approve 1\n"
        ":as alice\n"
        ":press decline 1\n"
        ":press approve 1\n"
        ":press decline 1 too late\n"
        ":as ben\n"
        "/overflow rewire the office\n"
        ":as alice\n"
        ":press decline 2 we do this ourselves\n"
    )
    run = console(tmp_path, script, "--at", "2026-12-02T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Held for approval: it is not in the contract's scope of work. Waiting for @Alice Moss's approval" in out
    assert "[Approve] [Decline]" in out
    assert "Only @Alice Moss can approve or decline overflow outside the contract" in out
    assert "Say why it is declined" in out
    assert "Approved by @Alice Moss: it is handoff #1 now." in out and "Overflow #1 · P3" in out
    assert "@Alice Moss already approved this request (it is handoff #1). Your click changed nothing." in out
    assert "Declined by @Alice Moss: “we do this ourselves”" in out
    assert "@Ben Ode: @Alice Moss declined your overflow request" in out


def test_acting_as_someone_by_full_name_part_of_it_or_nobody(tmp_path):
    script = ":as Priya Shah\n:as tom reyes\n:as lee\n:as zed\n:as U0STRANGER\n"
    out = console(tmp_path, script, "--at", "2026-11-24T10:00:00+00:00").stdout
    assert "(now acting as Priya Shah)" in out and "(now acting as Tom Reyes)" in out
    assert "(now acting as Sam Lee)" in out and "Sam Lee> :as zed" in out
    assert "(nobody called 'zed' is in the matrix: try one of Alice Moss, Ben Ode" in out
    assert "(now acting as U0STRANGER)" in out


def test_the_daily_digest_says_leave_ends_as_the_booking_did(tmp_path):
    script = "/tandem cover @ben until 2026-11-27 by @cara\n:at 2026-11-25 08:31\n"
    out = console(tmp_path, script, "--at", "2026-11-24T10:00:00+00:00").stdout
    assert "@Ben Ode is away until the end of Fri 27 Nov. @Cara Diaz covers." in out
    assert "• @Ben Ode away until the end of Fri 27 Nov, covered by @Cara Diaz" in out
