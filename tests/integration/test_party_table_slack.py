"""The party table for handoff steps, row by row, through signed button presses.

The same table the domain test states (tests/unit/test_party_rules.py: every action × every
kind of actor), pressed on a real root message as Slack sends the click: each actor the table
allows takes the step on a handoff of their own in the state the step needs, and every other
actor is answered with an ephemeral sentence while the message stays as it was.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from handlers import ids
from tests.support import slack_requests as sr
from tests.unit.test_party_rules import ACTORS, ALLOWED

CHANNEL = "C0SHARED01"
BEN, TOM = ACTORS["requester"], ACTORS["assignee"]
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# The steps that bring a handoff Ben opened to the state each action needs (Tom is the assignee).
BEFORE = {
    "acknowledge": (),
    "take": (),
    "wait": ("take",),
    "resume": ("take", "wait"),
    "hand_back": ("take",),
    "resolve": ("take",),
}
AFTER = {  # what the root message says once the step is taken
    "acknowledge": ":eyes: Acknowledged",
    "take": ":hammer_and_wrench: In progress",
    "wait": ":hourglass_flowing_sand: Waiting on requester",
    "resume": ":hammer_and_wrench: In progress",
    "hand_back": ":leftwards_arrow_with_hook: Handed back",
}


class Channel:
    """The shared channel as one Bolt app and the stand-in see it."""

    def __init__(self, slack, standin) -> None:
        self.slack, self.standin = slack, standin

    def open(self, steps: tuple[str, ...]) -> str:
        """A handoff from Ben to the provider, taken through `steps` by Tom; its root ts."""
        before = len(self.standin.calls("chat.postMessage"))
        self.slack.answer("/handoff", "P2 provider: conveyancing laptop will not boot", BEN)
        root = self.standin.wait_for("chat.postMessage", count=before + 2)[before]
        ts = root.reply["ts"]
        for step in steps:
            self.press(step, ts, TOM)
        return ts

    def root(self, ts: str) -> str:
        return json.dumps(self.standin.message(CHANNEL, ts)["blocks"], ensure_ascii=False)

    def press(self, action: str, ts: str, user: str) -> None:
        """Click the button as the message shows it now (its value names the version seen), and
        wait for the answer: the message updated, the resolve form opened, or a refusal."""
        action_id = ids.HANDOFF_BUTTONS[action]
        message = self.standin.message(CHANNEL, ts)
        [button] = [
            e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
        ]
        answers = ("chat.update", "views.open", "chat.postEphemeral")
        before = sum(len(self.standin.calls(m)) for m in answers)
        request = sr.block_actions(
            action_id,
            button["value"],
            user_id=user,
            channel_id=CHANNEL,
            message_ts=ts,
            message=message,
            response_url=self.standin.response_url("press"),
        )
        assert self.slack.send(request)[0] == 200
        start = time.monotonic()
        while sum(len(self.standin.calls(m)) for m in answers) == before:
            assert time.monotonic() - start < 15, f"no answer to {user} pressing {action}"
            time.sleep(0.02)


@pytest.fixture
def channel(slack_at, standin):
    return Channel(slack_at(TUESDAY_10AM), standin)


@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_step_is_taken_by_whom_the_table_allows_and_refused_to_everyone_else(channel, standin, action):
    for kind in ALLOWED[action]:
        ts = channel.open(BEFORE[action])
        opened_forms = len(standin.calls("views.open"))
        channel.press(action, ts, ACTORS[kind])
        if action == "resolve":  # the form for the resolution note opens, for the allowed only
            assert len(standin.calls("views.open")) == opened_forms + 1, kind
        else:
            assert AFTER[action] in channel.root(ts), kind
    ts = channel.open(BEFORE[action])
    shown = channel.root(ts)
    for kind in sorted(set(ACTORS) - ALLOWED[action]):
        refusals = len(standin.calls("chat.postEphemeral"))
        channel.press(action, ts, ACTORS[kind])
        [refusal] = standin.calls("chat.postEphemeral")[refusals:]
        assert refusal["user"] == ACTORS[kind], kind
        assert refusal["text"].startswith(("Only", "You opened", ":warning:")), (kind, refusal["text"])
        assert channel.root(ts) == shown, kind  # nothing changed
