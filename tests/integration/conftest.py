"""Fixtures for tests that talk to Slack: one Web API stand-in per module, and `tandem run`
over HTTP against it on a fresh SQLite database."""

from __future__ import annotations

import pytest

from tests.support.bot_server import BotProcess
from tests.support.slack_standin import SlackStandIn


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    with BotProcess(standin, f"sqlite:///{tmp_path_factory.mktemp('bot') / 'tandem.db'}") as process:
        yield process
