"""`tandem run` that cannot start says why in one sentence, exits 1, and never forks a worker.

Each case is a real `tandem run` subprocess pointed at the Slack stand-in: a token Slack
rejects, Slack or PostgreSQL out of reach, bad sizing or logging variables, a port already
taken, a read-only or full database.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest

from storage.db import Database
from tests.conftest import fresh_postgres_database
from tests.support.bot_server import ROOT, BotProcess, free_port


def start(standin, database_url: str, env: dict[str, str] | None = None, wrap: list[str] | None = None):
    """Run `tandem run` to its end (it must stop by itself) and return it."""
    process_env = BotProcess(standin, database_url, extra_env=env).env
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "bot", "run"],
        env=process_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def assert_one_sentence(run: subprocess.CompletedProcess, *fragments: str) -> None:
    output = (run.stdout + run.stderr).strip()
    assert run.returncode == 1, output
    assert len(output.splitlines()) == 1, output  # no traceback, no gunicorn lines, nothing forked
    assert all(fragment in output for fragment in fragments), output


@pytest.mark.parametrize(
    ("env", "fragments"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-revoked"}, ("Slack rejected SLACK_BOT_TOKEN (invalid_auth)", "OAuth & Permissions")),
        ({"TANDEM_THREADS": "abc"}, ("TANDEM_THREADS must be a whole number", "'abc'")),
        ({"WEB_CONCURRENCY": "zero"}, ("WEB_CONCURRENCY must be a whole number", "'zero'")),
        ({"WEB_CONCURRENCY": "0"}, ("WEB_CONCURRENCY must be a whole number", "at least 1")),
        ({"TANDEM_LOG_LEVEL": "loud"}, ("TANDEM_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR",)),
        ({"TANDEM_LOG_FORMAT": "xml"}, ("TANDEM_LOG_FORMAT must be one of text, json",)),
    ],
    ids=["token-rejected", "threads-abc", "workers-zero", "workers-0", "log-level", "log-format"],
)
def test_a_setting_or_token_that_cannot_work_is_one_sentence(standin, tmp_path, env, fragments):
    assert_one_sentence(start(standin, f"sqlite:///{tmp_path / 't.db'}", env), *fragments)


def test_slack_out_of_reach_names_slack_api_url(standin, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    run = start(standin, f"sqlite:///{tmp_path / 't.db'}", {"SLACK_API_URL": nowhere})
    assert_one_sentence(run, f"Cannot reach Slack at {nowhere} (SLACK_API_URL): Connection refused")


def test_postgresql_out_of_reach_names_the_server_and_database_url(standin):
    port = free_port()
    run = start(standin, f"postgresql://tandem:s3cret@127.0.0.1:{port}/tandem")
    assert_one_sentence(run, f"Cannot reach PostgreSQL at 127.0.0.1:{port}", "DATABASE_URL", "Start PostgreSQL")
    assert "s3cret" not in run.stderr


def test_a_port_in_use_is_one_sentence(standin, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = start(standin, f"sqlite:///{tmp_path / 't.db'}", {"PORT": str(port)})
    assert_one_sentence(run, f"PORT {port} is already in use")


def test_socket_mode_with_an_app_token_slack_rejects(standin, tmp_path):
    run = start(standin, f"sqlite:///{tmp_path / 't.db'}", {"SLACK_APP_TOKEN": "xapp-1-revoked"})
    assert_one_sentence(run, "Slack rejected SLACK_APP_TOKEN (invalid_auth)", "App-Level Tokens")


@pytest.mark.postgres
def test_a_read_only_postgresql_is_one_sentence(standin):
    with fresh_postgres_database() as url:
        upgraded = subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            env={**BotProcess(standin, url).env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert upgraded.returncode == 0, upgraded.stderr
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.replace("+psycopg", "").rsplit("/", 1)[0] + "/test", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')  # e.g. a standby
        assert_one_sentence(start(standin, url), "is read-only", "DATABASE_URL", "make it writable")


def _mount_namespace() -> list[str]:
    """A private mount namespace (root here and in CI), or a skip where it cannot be made."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-m", "true"], capture_output=True, check=False).returncode:
        pytest.skip("needs unshare -m (root) to mount a read-only or a full file system")
    return [unshare, "-m", "sh", "-c"]


def _in_namespace(standin, url: str, setup: str) -> subprocess.CompletedProcess:
    """`setup` (mounts, as root in a private mount namespace), then `tandem run` on `url`."""
    return subprocess.run(
        [*_mount_namespace(), f"{setup} && exec {sys.executable} -m bot run"],
        env=BotProcess(standin, url).env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_a_sqlite_file_on_a_read_only_disk_is_one_sentence(standin, tmp_path):
    _mount_namespace()
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    Database(url).upgrade()
    run = _in_namespace(standin, url, f"mount --bind -o ro {tmp_path} {tmp_path}")
    assert_one_sentence(run, f"The database {tmp_path / 'tandem.db'} (DATABASE_URL) is read-only")


def test_a_sqlite_file_on_a_full_disk_is_one_sentence(standin, tmp_path):
    _mount_namespace()
    disk = tmp_path / "disk"
    disk.mkdir()
    url = f"sqlite:///{disk / 'tandem.db'}"
    fill = f"mount -t tmpfs -o size=1m tmpfs {disk} && {sys.executable} -m bot db upgrade >/dev/null"
    fill += f" && (dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null || true)"
    run = _in_namespace(standin, url, fill)
    assert_one_sentence(run, f"The disk holding the database {disk / 'tandem.db'} (DATABASE_URL) is full")
