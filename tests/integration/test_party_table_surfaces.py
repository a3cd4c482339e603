"""The party table for handoff steps, row by row, through signed button presses and the console.

The same table the domain test states (tests/unit/test_party_rules.py: every action × every
kind of actor), pressed on a real root message as Slack sends the click: each actor the table
allows takes the step on a handoff of their own in the state the step needs, and every other
actor is answered with an ephemeral sentence while the message stays as it was. The console
session presses the same buttons with `:press`, as each kind of actor in turn.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest

from handlers import ids
from tests.integration.test_console import console
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
        self.opened = 0

    def open(self, steps: tuple[str, ...]) -> str:
        """A handoff from Ben to the provider, taken through `steps` by Tom; its root ts."""
        self.opened += 1
        summary = f"conveyancing laptop {self.opened} will not boot"  # finds its root among late thread replies
        self.slack.answer("/handoff", f"P2 provider: {summary}", BEN)
        start = time.monotonic()
        while not (roots := [c for c in self.standin.calls("chat.postMessage") if summary in c["text"]]):
            assert time.monotonic() - start < 15, f"no root message for {summary!r}"
            time.sleep(0.02)
        ts = roots[0].reply["ts"]
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


# --- the same table in the console -----------------------------------------------------------

NAMES = {
    ACTORS["requester"]: "Ben Ode",
    ACTORS["requester's colleague"]: "Cara Diaz",
    ACTORS["requester's admin"]: "Alice Moss",
    ACTORS["target side"]: "Sam Lee",
    ACTORS["target side's admin"]: "Priya Shah",
    ACTORS["assignee"]: "Tom Reyes",
    ACTORS["outsider"]: ACTORS["outsider"],  # not in the matrix: the prompt shows the Slack id
}
CONSOLE_NAMES = {
    ACTORS[k]: name
    for k, name in {
        "requester": "ben",
        "requester's colleague": "cara",
        "requester's admin": "alice",
        "target side": "sam",
        "target side's admin": "priya",
        "assignee": "tom",
        "outsider": ACTORS["outsider"],
    }.items()
}
SHORT = {
    "acknowledge": "ack",
    "take": "take",
    "wait": "wait",
    "resume": "resume",
    "hand_back": "back",
    "resolve": "resolve",
}
DONE = {
    "acknowledge": "acknowledged it.",
    "take": "took it.",
    "wait": "is waiting on @Ben Ode, who asked; the resolve clock is paused",
    "resume": "resumed it.",
    "hand_back": "handed it back.",
    "resolve": "resolved it.",
}


def test_the_console_follows_the_same_table(tmp_path):
    """One console session: for each action, a handoff per allowed actor and one that every
    other actor presses in vain; each press is found by its prompt, which names who pressed."""
    script, expected, number = [], [], 0
    for action in ALLOWED:
        kinds = [*sorted(ALLOWED[action]), None]  # None: the handoff every refused actor presses
        for kind in kinds:
            number += 1
            script += [":as ben", f"/handoff P2 provider: laptop {number} will not boot", ":as tom"]
            script += [f":press {SHORT[step]} {number}" for step in BEFORE[action]]
            pressers = [kind] if kind else sorted(set(ACTORS) - ALLOWED[action])
            for presser in pressers:
                line = f":press {SHORT[action]} {number}" + (" replaced the disk" if action == "resolve" else "")
                script += [f":as {CONSOLE_NAMES[ACTORS[presser]]}", line]
                expected.append((presser, action, line, kind is not None))
    run = console(tmp_path, "\n".join(script) + "\n", "--at", "2026-11-24T10:00:00+00:00")
    assert run.returncode == 0, run.stderr
    for presser, action, line, allowed in expected:
        name = NAMES[ACTORS[presser]]
        answer = re.split(r"^[^\n>]+> ", run.stdout.split(f"{name}> {line}\n", 1)[1], maxsplit=1, flags=re.M)[0]
        if allowed:
            assert f"@{name} {DONE[action]}" in answer, (presser, action, answer)
        else:
            assert answer.startswith("[only you can see this]\n:warning: "), (presser, action, answer)
            assert "updated]" not in answer, (presser, action)
