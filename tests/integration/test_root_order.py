"""A root message never goes back to an older version: with three PostgreSQL replicas each
refreshing roots after its own steps, the last `chat.update` of every root shows the
version the database holds, and no root is ever updated to a version older than one it
already showed. One refresh is held by Slack (the stand-in stalls it) while another replica
takes the next step: that step's refresh must not overtake it, or the held one, landing
last, would put the older version back on top."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import fresh_postgres_database
from tests.integration.test_one_winner import CHANNEL, PRIYA, at_once, open_handoffs
from tests.support import slack_requests as sr
from tests.support.bot_server import running_replicas
from tests.support.slack_standin import SlackStandIn

HANDOFFS = 4  # stepped at once, on every replica in turn
STEPS = ["handoff_take"] + ["handoff_wait", "handoff_resume"] * 4  # each moves the version on by one
SHOWN = re.compile(r"· v(\d+)$")


def shown_version(call) -> int:
    """The version in the root message's context block (`… · vN`)."""
    [version] = [
        int(match.group(1))
        for block in call["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if (match := SHOWN.search(element["text"]))
    ]
    return version


def wait_until(done, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def step_on(standin, handoff: tuple[int, str], action_id: str, version: int):
    """The button `action_id` pressed on the root message of `handoff`, seen at `version`."""
    number, ts = handoff
    return sr.block_actions(
        action_id,
        f"{number}:{version}",
        user_id=PRIYA,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url(f"press-{number}-{version}"),
        message=standin.message(CHANNEL, ts),
    )


@pytest.mark.postgres
def test_roots_refreshed_by_three_replicas_end_on_the_committed_version():
    with fresh_postgres_database() as url, SlackStandIn() as standin, running_replicas(standin, url, 3) as replicas:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            held, *handoffs = open_handoffs(replicas[0], standin, 1 + HANDOFFS, "order")

            def versions() -> dict[int, int]:
                with engine.connect() as connection:
                    return dict(connection.execute(text("SELECT id, version FROM handoffs")).all())

            def waiting_on_a_lock() -> bool:
                with engine.connect() as connection:
                    sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    return bool(connection.execute(text(sql)).scalar())

            stall = standin.stall("chat.update")
            sr.post(replicas[0].events_url, *step_on(standin, held, "handoff_take", 1))
            assert stall.arrived.wait(15)  # v2's refresh is in Slack's hands, not answered yet
            sr.post(replicas[1].events_url, *step_on(standin, held, "handoff_wait", 2))
            wait_until(lambda: versions()[held[0]] == 3 or waiting_on_a_lock())
            stall.release()

            for step, action_id in enumerate(STEPS):
                presses = [
                    (replicas[(index + step) % 3].events_url, step_on(standin, handoff, action_id, step + 1))
                    for index, handoff in enumerate(handoffs)
                ]
                assert at_once(presses) == [200] * HANDOFFS
                wait_until(lambda want=step + 2: all(versions()[n] == want for n, _ in handoffs))

            def drained() -> bool:
                with engine.connect() as connection:
                    return not connection.execute(text("SELECT count(*) FROM outbox WHERE status != 'sent'")).scalar()

            wait_until(drained)
            final = versions()
        finally:
            engine.dispose()
    assert final[held[0]] == 3 and {final[n] for n, _ in handoffs} == {len(STEPS) + 1}
    for number, ts in [held, *handoffs]:
        shown = [shown_version(c) for c in standin.calls("chat.update") if c["ts"] == ts]
        assert shown and shown[-1] == final[number], (number, shown)
        assert shown == sorted(shown), (number, shown)  # never back to an older version
