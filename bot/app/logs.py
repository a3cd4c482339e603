"""The log: quiet by default, one line per start and per problem, text or JSON lines.

Tandem's own loggers (`bot.*`, `handlers.*`, `storage.*`, `tandem.*`) log at
`TANDEM_LOG_LEVEL` (INFO unless set). The libraries underneath — gunicorn, Bolt and the Slack
SDK, APScheduler, Alembic — only say what is wrong (WARNING and worse) unless the level is
DEBUG, when everything speaks. APScheduler stays at ERROR below DEBUG: the runs it skips
while a tick is slow are Tandem's to report (`bot.app.heartbeat`) and `/healthz`'s to judge.
With `TANDEM_LOG_FORMAT=json` every line, gunicorn's included, is one JSON object.
"""

from __future__ import annotations

import logging
import sys

OWN = ("bot", "handlers", "storage", "tandem")
LIBRARIES = {
    "tandem.bolt": logging.WARNING,
    "tandem.slack": logging.WARNING,
    "tandem.preflight": logging.CRITICAL,  # the start-up check's client: its failure is told as one sentence
    "apscheduler": logging.ERROR,
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _DropKnownNoise(logging.Filter):
    """Bolt warns that the token is unused when it is handed the client built from that same
    token (it reads SLACK_BOT_TOKEN itself): true, expected, and said on every start."""

    def __init__(self) -> None:
        super().__init__()
        from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

        self.noise = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.noise


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            "%(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "process": "pid"},
            timestamp="time",
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Send every log line to stderr in `fmt`, Tandem's at `level`, the libraries' quieter."""
    global _json
    _json = fmt == "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(fmt))
    handler.addFilter(_DropKnownNoise())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    debug = level == "DEBUG"
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    for name in OWN:
        logging.getLogger(name).setLevel(level)
    for name, quiet in LIBRARIES.items():
        logging.getLogger(name).setLevel(logging.DEBUG if debug else quiet)
    logging.getLogger("gunicorn").setLevel(logging.DEBUG if debug else logging.WARNING)


def as_json() -> bool:
    """Whether the log speaks JSON, so a fatal sentence is written as a JSON line too."""
    return _json


_json = False
