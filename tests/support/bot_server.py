"""Run the bot the way it runs in production: `tandem run` over HTTP, as a subprocess.

`BotProcess` starts it pointed at a Slack stand-in and a database of the test's choosing,
waits until `/healthz` answers, and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.slack_requests import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    def __init__(
        self,
        standin,
        database_url: str,
        matrix: Path | None = ROOT / "examples" / "matrix.yml",
        extra_env: dict[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            **standin.env(),
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "TANDEM_THREADS": "4",
            "TANDEM_TICK_SECONDS": "0",  # scheduled posts are tested through `tandem tick`, with the clock set
        }
        self.env.pop("SLACK_APP_TOKEN", None)
        self.env.pop("TANDEM_ALLOWED_TEAMS", None)
        if matrix:
            self.env["TANDEM_MATRIX"] = str(matrix)
        self.env.update(extra_env or {})
        self.proc: subprocess.Popen | None = None
        self._lines: list[str] = []
        self._reader: threading.Thread | None = None
        self._printed = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def start(self, timeout: float = 30) -> BotProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so `crash()` reaches gunicorn's workers too
        )
        self._lines = []
        self._printed = threading.Condition()
        # Drained as it comes: a busy bot fills the pipe, and a full pipe stops it dead.
        self._reader = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._reader.join(timeout=5)
                raise RuntimeError(f"tandem run exited {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("tandem run did not become healthy in time")

    def _drain(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._printed:
                self._lines.append(line)
                self._printed.notify_all()

    def wait_for_output(self, text: str, timeout: float = 10) -> str:
        """Block until the process has printed `text` (its log reaches the pipe after its reply)."""
        with self._printed:
            if not self._printed.wait_for(lambda: text in self.output(), timeout):
                raise AssertionError(f"tandem run never printed {text!r}:\n{self.output()[-2000:]}")
        return self.output()

    def output(self) -> str:
        """Everything the process has printed so far."""
        return "".join(self._lines)

    def health(self) -> tuple[int, dict]:
        """`GET /healthz`: its status and body, 503 included."""
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_for_health(self, done: Callable[[int, dict], bool], timeout: float = 20) -> tuple[int, dict]:
        """Poll `/healthz` until `done(status, body)`, or the timeout; return the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.health()
            if done(status, body) or time.monotonic() > deadline:
                return status, body
            time.sleep(0.2)

    def crash(self) -> None:
        """SIGKILL the whole bot at once, master and workers, as a machine or container dies.

        Killing only the master leaves its worker serving for a second or more (it notices its
        parent died on its next heartbeat): a "crash" that went on working beside the restarted
        bot, finishing requests the new one had taken over too."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> str:
        if self.proc is None:
            return self.output()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        self.proc = None
        return self.output()

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def running_replicas(standin, database_url: str, count: int, **options) -> Iterator[list[BotProcess]]:
    """`count` replicas of `tandem run` on one database, started and stopped side by side (each
    takes seconds to boot, so one after another would make a multi-replica test slow)."""
    processes = [BotProcess(standin, database_url, **options) for _ in range(count)]
    _all(processes, BotProcess.start)
    try:
        yield processes
    finally:
        _all(processes, BotProcess.stop)


def _all(processes: list[BotProcess], step: Callable[[BotProcess], object]) -> None:
    threads = [threading.Thread(target=step, args=(process,)) for process in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
