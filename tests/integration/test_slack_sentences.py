"""What a person hears when Slack refused part of their request, through `tandem run` against
the stand-in: a sentence that says what happened and what to do, never "Something went wrong"
when Slack said why, and never "not done" when it was."""

from __future__ import annotations

import json
import re

import pytest

from handlers import ids
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE, PRIYA = "U0ALICE01", "U0PRIYA01"


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    with BotProcess(standin, f"sqlite:///{tmp_path_factory.mktemp('said') / 'tandem.db'}") as process:
        yield process


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def test_a_form_slack_would_not_open_in_time_says_press_again(bot, standin):
    request = sr.slash_command(
        "/handoff", "provider: the fax is back", user_id=ALICE, channel_id=CHANNEL, response_url=standin.response_url()
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    root = standin.wait_for("chat.postMessage", count=2)[0]
    message = standin.message(CHANNEL, root.reply["ts"])
    standin.fail("views.open", "expired_trigger_id")
    press = sr.block_actions(
        ids.ACTION_RESOLVE,
        sr.button_value(message, ids.ACTION_RESOLVE, ""),
        user_id=PRIYA,
        channel_id=CHANNEL,
        message_ts=root.reply["ts"],
        response_url=standin.response_url("resolve"),
        message=message,
    )
    assert sr.post(bot.events_url, *press)[0] == 200
    told = standin.wait_for_response("resolve")[-1]  # only the presser sees it, where they pressed
    assert told["text"] == "Slack gives a form 3 seconds to open and this one took longer: press the button again."
    assert told["response_type"] == "ephemeral"


def test_a_handoff_opened_from_the_form_whose_post_was_refused_says_it_is_open(bot, standin):
    standin.fail("chat.postMessage", "not_in_channel")
    values = {
        "summary": {"summary": "Printer in reception offline"},
        "details": {"details": ""},
        "priority": {"priority": {"type": "static_select", "selected_option": {"value": "P4"}}},
        "area": {"area": {"type": "static_select", "selected_option": None}},
        "assignee": {"assignee": {"type": "users_select", "selected_user": None}},
    }
    submit = sr.view_submission("handoff_new", values, user_id=PRIYA, private_metadata=json.dumps({"channel": None}))
    assert sr.post(bot.events_url, *submit)[0] == 200
    told = standin.wait_for("chat.postEphemeral")[-1]
    assert re.match(r"Handoff #\d+ is open, but I'm not in <#C0SHARED01>: invite me with /invite @tandem", told["text"])
    assert "not opened" not in told["text"] and "Something went wrong" not in told["text"]
