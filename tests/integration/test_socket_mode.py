"""`tandem run` with SLACK_APP_TOKEN: Socket Mode, the same answers over a WebSocket."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.bot_server import ROOT, BotProcess
from tests.support.slack_requests import app_mention
from tests.support.slack_standin import SlackStandIn
from tests.support.socket_mode_server import SocketModeServer


@pytest.fixture(scope="module")
def socket_bot(tmp_path_factory):
    server = SocketModeServer()
    with SlackStandIn(token=None) as standin:  # the app token (xapp-) opens the connection
        standin.on("apps.connections.open", lambda call: {"ok": True, "url": server.url})
        env = BotProcess(
            standin,
            f"sqlite:///{tmp_path_factory.mktemp('socket') / 't.db'}",
            extra_env={"SLACK_APP_TOKEN": "xapp-1-A111-test"},
        ).env
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            server.wait_connected()
            yield server, standin
        finally:
            process.terminate()
            process.wait(timeout=15)
            server.close()


def test_slash_command_is_answered_in_the_ack(socket_bot):
    server, standin = socket_bot
    server.send(
        {
            "envelope_id": "env-owner-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "token": "xxx",
                "team_id": "T111",
                "team_domain": "tandem-test",
                "channel_id": "C0SHARED01",
                "channel_name": "shared",
                "user_id": "U0ALICE01",
                "user_name": "alice",
                "command": "/owner",
                "text": "backups",
                "api_app_id": "A111",
                "response_url": standin.response_url("socket"),
                "trigger_id": "111.222.xxx",
            },
        }
    )
    ack = server.wait_for_ack("env-owner-1")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["blocks"][0]["text"]["text"] == "Backups"


def test_mention_event_is_acked_then_answered_in_thread(socket_bot):
    server, standin = socket_bot
    event = app_mention("<@W111> who owns the vpn?", user="U0ALICE01", channel="C0SHARED01", ts="1700000009.000100")
    server.send(
        {
            "envelope_id": "env-mention-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": {
                "token": "xxx",
                "team_id": "T111",
                "api_app_id": "A111",
                "event": event,
                "type": "event_callback",
                "event_id": "EvSOCKET001",
                "event_time": 1700000009,
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": "T111",
                        "user_id": "W111",
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
            },
        }
    )
    assert server.wait_for_ack("env-mention-1")["envelope_id"] == "env-mention-1"
    [reply] = standin.wait_for("chat.postMessage", timeout=10)
    assert reply["thread_ts"] == "1700000009.000100" and "Network and firewall" in json.dumps(reply.blocks)
