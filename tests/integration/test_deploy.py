"""The deployment kit, exercised as far as this machine allows (docs/OPERATIONS.md).

No Docker engine here: the Dockerfile is read, its build context packaged the way its
`pip install .` step packages it, and its HEALTHCHECK run against a real `tandem run`.
The systemd unit goes through `systemd-analyze verify`; the nginx example proxies signed
Slack requests over TLS to a real `tandem run`; backups are taken while the bot writes;
the upgrade steps run on a database left at an older schema.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from storage.db import HEAD, MIGRATIONS, Database, schema_version
from tests.support import slack_requests as sr
from tests.support.bot_server import ROOT, BotProcess, free_port

DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "systemd" / "tandem.service"
NGINX_SITE = ROOT / "deploy" / "nginx" / "tandem.conf"


def tandem(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TANDEM_MATRIX"}
    run = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert not check or run.returncode == 0, run.stderr
    return run


# ---- Dockerfile ----------------------------------------------------------------------------
def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def healthcheck_command() -> list[str]:
    [check] = [args for name, args in instructions() if name == "HEALTHCHECK"]
    return json.loads(check.split("CMD", 1)[1])


def test_the_image_runs_tandem_as_a_user_that_is_not_root():
    steps = instructions()
    names = [name for name, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")  # pyproject: requires-python >= 3.11
    user = [args for name, args in steps if name == "USER"][-1]
    assert user not in ("root", "0") and names.index("USER") < names.index("CMD")
    assert ("CMD", '["tandem", "run"]') in steps and ("EXPOSE", "3000") in steps
    assert any(name == "ENV" and "DATABASE_URL=sqlite:////data/tandem.db" in args for name, args in steps)
    assert any(name == "RUN" and "useradd" in args and user in args for name, args in steps)


def _context(tmp_path: Path) -> Path:
    """The build context the COPY lines make, minus what .dockerignore leaves out."""
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".env", "*.db", ".venv", ".git"} <= set(ignored)  # never secrets or a live database
    context = tmp_path / "app"
    for name, args in instructions():
        if name != "COPY":
            continue
        *sources, target = args.split()
        for source in sources:
            destination = context / (source if target in ("./", ".") else target.removeprefix("./"))
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__", *ignored))
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, destination)
    return context


def test_the_build_context_installs_every_module_migration_and_data_file(tmp_path):
    context = _context(tmp_path)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "wheel"), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheel").glob("tandem-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        str(path.relative_to(ROOT))
        for package in ("bot", "handlers", "storage")
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert wanted - packaged == set()  # e.g. every migration, the .mako template, the review library
    entry_points = next(name for name in packaged if name.endswith("entry_points.txt"))
    assert "tandem = bot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_healthcheck_passes_on_a_healthy_bot_and_fails_when_nothing_answers(standin, tmp_path):
    command = healthcheck_command()
    assert command[0] == "python"
    with BotProcess(standin, f"sqlite:///{tmp_path / 't.db'}") as bot:
        healthy = subprocess.run(
            [sys.executable, *command[1:]], env={"PORT": str(bot.port)}, capture_output=True, timeout=30, check=False
        )
    assert healthy.returncode == 0, healthy.stderr
    down = subprocess.run(
        [sys.executable, *command[1:]], env={"PORT": str(free_port())}, capture_output=True, timeout=30, check=False
    )
    assert down.returncode != 0


# ---- systemd -------------------------------------------------------------------------------
def test_the_systemd_unit_verifies_and_runs_tandem_as_its_own_user(tmp_path):
    text = UNIT.read_text(encoding="utf-8")
    assert "\nUser=tandem\n" in text and "\nExecStart=/opt/tandem/.venv/bin/tandem run\n" in text
    assert "StateDirectory=tandem" in text and "DATABASE_URL=sqlite:////var/lib/tandem/tandem.db" in text
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / "tandem.service"  # the same unit, with ExecStart where this checkout's tandem is
    unit.write_text(text.replace("/opt/tandem/.venv/bin/tandem", str(Path(sys.executable).with_name("tandem"))))
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stderr


# ---- nginx ---------------------------------------------------------------------------------
def _nginx() -> str:
    found = shutil.which("nginx") or str(ROOT / ".ci" / ".tools" / "usr" / "sbin" / "nginx")
    if not os.access(found, os.X_OK):
        pytest.skip("nginx is not installed (.ci/run unpacks one into .ci/.tools)")
    return found


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=tandem.example.com",
            ),
            *("-addext", "subjectAltName=DNS:tandem.example.com,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return cert, key


def test_nginx_passes_signed_slack_requests_over_tls(standin, tmp_path):
    nginx = _nginx()
    cert, key = _certificate(tmp_path)
    plain, tls = free_port(), free_port()
    with BotProcess(standin, f"sqlite:///{tmp_path / 't.db'}") as bot:
        site = NGINX_SITE.read_text(encoding="utf-8")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};").replace(
            "listen 443 ssl;", f"listen 127.0.0.1:{tls} ssl;"
        )
        site = re.sub(r"\n\s*listen \[::\]:\d+( ssl)?;", "", site)
        site = site.replace("/etc/letsencrypt/live/tandem.example.com/fullchain.pem", str(cert))
        site = site.replace("/etc/letsencrypt/live/tandem.example.com/privkey.pem", str(key))
        site = site.replace("127.0.0.1:3000", f"127.0.0.1:{bot.port}").replace("/var/www/html", str(tmp_path))
        (tmp_path / "tandem.conf").write_text(site)
        temp = {kind: tmp_path / kind for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for folder in temp.values():
            folder.mkdir()
        (tmp_path / "nginx.conf").write_text(
            f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\nerror_log stderr warn;\nevents {{}}\n"
            "http {\n  access_log off;\n"
            + "".join(f"  {kind}_temp_path {folder};\n" for kind, folder in temp.items())
            + f"  include {tmp_path}/tandem.conf;\n}}\n"
        )
        base = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"]
        checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30, check=False)
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            context = ssl.create_default_context(cafile=str(cert))
            deadline = time.monotonic() + 20
            while True:
                try:
                    connection = http.client.HTTPSConnection("127.0.0.1", tls, context=context, timeout=10)
                    connection.request("GET", "/healthz", headers={"Host": "tandem.example.com"})
                    health = connection.getresponse()
                    break
                except ConnectionRefusedError:
                    assert time.monotonic() < deadline and proxy.poll() is None, "nginx did not start"
                    time.sleep(0.1)
            assert health.status == 200 and json.loads(health.read())["database"] == "up"

            body, headers = sr.slash_command(
                "/owner", "backups", user_id="U0ALICE01", channel_id="C0SHARED01", response_url=standin.response_url()
            )
            connection.request("POST", "/slack/events", body=body, headers={**headers, "Host": "tandem.example.com"})
            answer = connection.getresponse()
            assert answer.status == 200 and "Backups" in json.loads(answer.read())["blocks"][0]["text"]["text"]
            connection.request("GET", "/", headers={"Host": "tandem.example.com"})
            other = connection.getresponse()
            assert other.status == 404 and other.read()

            redirect = http.client.HTTPConnection("127.0.0.1", plain, timeout=10)
            redirect.request("GET", "/slack/events", headers={"Host": "tandem.example.com"})
            moved = redirect.getresponse()
            assert moved.status == 301 and moved.getheader("Location") == "https://tandem.example.com/slack/events"
        finally:
            proxy.terminate()
            proxy.communicate(timeout=15)


# ---- backups ---------------------------------------------------------------------------------
def _handoffs(url: str) -> int:
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM handoffs").scalar() or 0
    finally:
        db.dispose()


def test_a_backup_taken_while_the_bot_writes_is_whole_and_restores(standin, tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with BotProcess(standin, url) as bot:
        stop = threading.Event()
        sent: list[int] = []

        def traffic() -> None:
            while not stop.is_set() and len(sent) < 200:
                request = sr.slash_command(
                    "/handoff",
                    f"P3 provider: replace toner {len(sent)}",
                    user_id="U0ALICE01",
                    channel_id="C0SHARED01",
                    response_url=standin.response_url(),
                )
                sent.append(sr.post(bot.events_url, *request)[0])

        writer = threading.Thread(target=traffic)
        writer.start()
        try:
            while len(sent) < 5:
                time.sleep(0.05)
            backups = [tmp_path / f"backup-{n}.db" for n in range(3)]
            for backup in backups:
                done = tandem("db", "backup", str(backup), url=url)
                assert f"to {backup} (schema {HEAD})" in done.stdout
            if shutil.which("sqlite3"):  # the documented shell command, also while writing
                shell = tmp_path / "shell.db"
                subprocess.run(["sqlite3", str(tmp_path / "live.db"), f".backup '{shell}'"], check=True, timeout=60)
                backups.append(shell)
        finally:
            stop.set()
            writer.join(timeout=60)
    assert set(sent) == {200}
    counts = []
    for backup in backups:
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not Path(f"{backup}-wal").exists() or backup.name == "shell.db"
        counts.append(_handoffs(f"sqlite:///{backup}"))
    assert counts == sorted(counts) and counts[0] >= 1  # each copy is the database at one instant, in order

    restored = f"sqlite:///{backups[-1]}"  # the restore step: start on the copy
    with BotProcess(standin, restored, matrix=None) as bot:
        status, body = bot.health()
    assert status == 200 and body["database"] == "up"
    exported = tandem("export", "handoffs", "--since", "2000-01-01", "--format", "json", url=restored)
    assert len(json.loads(exported.stdout)["handoffs"]) == counts[-1]


def test_backup_refuses_what_it_cannot_copy(tmp_path):
    missing = tandem("db", "backup", str(tmp_path / "b.db"), url=f"sqlite:///{tmp_path / 'none.db'}", check=False)
    assert missing.returncode == 1 and "There is no database at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    postgres = tandem("db", "backup", str(tmp_path / "b.db"), url="postgresql://tandem@127.0.0.1:1/tandem", check=False)
    assert postgres.returncode == 1 and "use pg_dump" in postgres.stderr


# ---- upgrading -----------------------------------------------------------------------------
def test_the_upgrade_steps_on_a_database_left_at_an_older_schema(standin, tmp_path):
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")  # as an older Tandem left it
    old.dispose()

    backup = tmp_path / "before-upgrade.db"  # 1. back up
    assert "(schema 0005)" in tandem("db", "backup", str(backup), url=url).stdout
    upgraded = tandem("db", "upgrade", url=url)  # 4. upgrade the schema once
    assert upgraded.stdout.startswith(f"Schema upgraded from 0005 to {HEAD} (")
    assert tandem("db", "upgrade", url=url).stdout.startswith(f"Schema up to date at {HEAD} (")
    doc = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    assert re.search(r"`Schema upgraded from \d{4} to \d{4} \(…\)`, or `Schema up to date at \d{4} \(…\)`", doc)
    with BotProcess(standin, url) as bot:  # 5. start, read the start line and /healthz
        status, _ = bot.health()
    assert status == 200
    check = Database(f"sqlite:///{backup}")
    assert schema_version(check.engine) == "0005"  # the backup is the old database exactly, for going back
    check.dispose()


def test_the_operations_guide_names_only_files_that_exist():
    doc = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(\.\./([^)#]+)\)", doc):
        assert (ROOT / link).exists(), link
    for command in re.findall(r"`(tandem [a-z]+ [a-z]+)", doc):
        assert (
            subprocess.run(
                [sys.executable, "-m", "bot", *shlex.split(command)[1:], "--help"],
                capture_output=True,
                cwd=ROOT,
                check=False,
            ).returncode
            == 0
        ), command
