"""Fixtures for tests that talk to Slack: one Web API stand-in per module, `tandem run` over
HTTP against it on a fresh SQLite database, and the same Bolt app in process with its clock set."""

from __future__ import annotations

import pytest

from tests.support.bot_server import BotProcess
from tests.support.slack_app import SlackApp
from tests.support.slack_standin import SlackStandIn


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    with BotProcess(standin, f"sqlite:///{tmp_path_factory.mktemp('bot') / 'tandem.db'}") as process:
        yield process


@pytest.fixture
def slack_at(standin, tmp_path):
    """`slack_at(instant[, matrix])`: the Bolt app `tandem run` serves, in this process, its clock
    set to `instant`, on a fresh database with the example matrix (or `matrix`, a file); the
    stand-in starts empty."""
    apps: list[SlackApp] = []

    def make(at, matrix=None):
        standin.reset()
        database = f"sqlite:///{tmp_path / f'slack-{len(apps)}.db'}"
        apps.append(SlackApp(standin, database, at, matrix) if matrix else SlackApp(standin, database, at))
        return apps[-1]

    yield make
    for app in apps:
        app.close()
