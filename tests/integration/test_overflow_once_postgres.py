"""A held overflow request is decided once across PostgreSQL replicas: the approver's two
presses landing on two replicas at the same moment release it to the provider once."""

from __future__ import annotations

import pytest

from tests.conftest import fresh_postgres_database
from tests.integration.test_one_winner import at_once, audit_counts, refusals
from tests.support import slack_requests as sr
from tests.support.bot_server import running_replicas
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE, BEN = "U0ALICE01", "U0BEN0001"
ROUNDS = 5


@pytest.mark.postgres
def test_two_approvals_at_once_on_two_replicas_release_the_request_once():
    with fresh_postgres_database() as url, SlackStandIn() as standin, running_replicas(standin, url, 2) as replicas:
        for i in range(ROUNDS):
            request = sr.slash_command(
                "/overflow", f"rewire meeting room {i}", user_id=BEN, channel_id=CHANNEL,
                response_url=standin.response_url("held"),
            )  # fmt: skip
            assert sr.post(replicas[0].events_url, *request)[0] == 200
        standin.wait_for_response("held", count=ROUNDS, timeout=60)  # told once the request is stored
        held = standin.wait_for("chat.postMessage", count=ROUNDS, timeout=60)
        for number, post in enumerate(held, start=1):
            presses = [
                (
                    replica.events_url,
                    sr.block_actions(
                        "overflow_approve",
                        str(number),
                        user_id=ALICE,
                        channel_id=CHANNEL,
                        message_ts=post.reply["ts"],
                        response_url=standin.response_url("press"),
                        message=standin.message(CHANNEL, post.reply["ts"]),
                    ),
                )
                for replica in replicas
            ]
            assert at_once(presses) == [200, 200]
        standin.wait_for("chat.update", count=ROUNDS, timeout=60)
        for _ in range(50):
            if sum("already approved" in t for t in refusals(standin)) >= ROUNDS:
                break
            standin.wait_for("chat.postEphemeral", count=len(standin.calls("chat.postEphemeral")) + 1, timeout=5)
        counts = audit_counts(url, "overflow.approve")
        assert [counts[f"overflow request #{n}"] for n in range(1, ROUNDS + 1)] == [1] * ROUNDS
        assert sum(counts.values()) == ROUNDS and len(audit_counts(url, "handoff.open")) == ROUNDS
        assert len(standin.calls("chat.update")) == ROUNDS
        assert sum("already approved" in t for t in refusals(standin)) == ROUNDS
