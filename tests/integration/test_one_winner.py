"""One winner per handoff step, through the real server: concurrent clicks on the same
message (two people, or one person twice, or a modal submitted twice) move the handoff
once, announce it once and leave one audit event; the loser hears "Tandem already moved
this". On SQLite with two gunicorn workers, and on PostgreSQL with three replicas."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import fresh_postgres_database
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess, running_replicas
from tests.support.slack_standin import SlackStandIn

CHANNEL = "C0SHARED01"
ALICE, PRIYA, SAM, TOM = "U0ALICE01", "U0PRIYA01", "U0SAM0001", "U0TOM0001"
ROUNDS = 20


def open_handoffs(bot, standin, count: int, label: str) -> list[tuple[int, str]]:
    """`count` handoffs to the provider; (number, root ts) each, in order."""
    before = len(standin.calls("chat.postMessage"))
    for i in range(count):
        request = sr.slash_command(
            "/handoff", f"provider: {label} {i}", user_id=ALICE, channel_id=CHANNEL, response_url="http://127.0.0.1:9/x"
        )
        assert sr.post(bot.events_url, *request)[0] == 200
    posts = standin.wait_for("chat.postMessage", count=before + 2 * count, timeout=60)
    roots = {}
    for call in posts[before:]:
        if not call.get("thread_ts") and call.reply.get("ok"):
            number = int(call["text"].split("#")[1].split(" ")[0])
            roots[call["text"].split(": ", 1)[1].split(" — ")[0]] = (number, call.reply["ts"])
    return [roots[f"{label} {i}"] for i in range(count)]


def press(bot, standin, action_id: str, ts: str, user: str) -> tuple[bytes, dict]:
    message = standin.message(CHANNEL, ts)
    return sr.block_actions(
        action_id,
        sr.button_value(message, action_id, ""),
        user_id=user,
        channel_id=CHANNEL,
        message_ts=ts,
        response_url=standin.response_url(f"press-{user}"),
        message=message,
    )


def at_once(targets: list[tuple[str, tuple[bytes, dict]]]) -> list[int]:
    """Send each request to its URL at the same moment; the HTTP statuses."""
    barrier, statuses = threading.Barrier(len(targets)), []

    def send(url: str, request: tuple[bytes, dict]) -> None:
        barrier.wait()
        statuses.append(sr.post(url, *request)[0])

    threads = [threading.Thread(target=send, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def audit_counts(url: str, kind: str) -> Counter:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT subject FROM audit_events WHERE kind = :k"), {"k": kind}).scalars()
        counts = Counter(rows)
    engine.dispose()
    return counts


def thread_posts(standin, ts: str, said: str) -> int:
    return sum(
        1 for c in standin.calls("chat.postMessage") if c.get("thread_ts") == ts and said in (c.get("text") or "")
    )


def refusals(standin) -> list[str]:
    """What the losers were told (ephemeral in the channel, or through the response URL)."""
    told = [c["text"] for c in standin.calls("chat.postEphemeral")]
    return told + [r.body.get("text", "") for r in standin.responses()]


def final_status(standin, ts: str) -> str:
    return json.dumps(standin.message(CHANNEL, ts)["blocks"])


@pytest.fixture(scope="module")
def sqlite_bot(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'tandem.db'}"
    with SlackStandIn() as standin, BotProcess(standin, url, workers=2) as bot:
        yield standin, bot, url


@pytest.mark.parametrize(
    "action_id, users, said, kind",
    [
        ("handoff_acknowledge", (PRIYA, SAM), "acknowledged it", "handoff.acknowledge"),
        ("handoff_take", (SAM, TOM), "took it", "handoff.take"),
        ("handoff_acknowledge", (PRIYA, PRIYA), "acknowledged it", "handoff.acknowledge"),  # one person, twice
    ],
    ids=["two-acknowledge", "two-take", "same-person-twice"],
)
def test_concurrent_presses_on_sqlite_have_one_winner(sqlite_bot, action_id, users, said, kind):
    standin, bot, url = sqlite_bot
    standin.reset()
    handoffs = open_handoffs(bot, standin, ROUNDS, f"{kind} {users[0]}{users[1]}")
    for _, ts in handoffs:
        assert at_once([(bot.events_url, press(bot, standin, action_id, ts, user)) for user in users]) == [200, 200]
    standin.wait_for("chat.update", count=ROUNDS, timeout=30)
    standin.wait_for("chat.postMessage", count=3 * ROUNDS, timeout=30)  # the roots, the openings, one step each
    losers = [t for t in refusals(standin) if "Tandem already moved this" in t]
    for _ in range(50):  # the losers' sentences come after their acknowledgements
        if len(losers) >= ROUNDS:
            break
        standin.wait_for("chat.postEphemeral", count=len(standin.calls("chat.postEphemeral")) + 1, timeout=5)
        losers = [t for t in refusals(standin) if "Tandem already moved this" in t]
    counts = audit_counts(url, kind)
    assert [counts[f"handoff #{number}"] for number, _ in handoffs] == [1] * ROUNDS
    assert [thread_posts(standin, ts, said) for _, ts in handoffs] == [1] * ROUNDS
    assert len(standin.calls("chat.update")) == ROUNDS and len(losers) == ROUNDS
    assert all("the message shows where it stands now" in t for t in losers)
    expected = "Acknowledged" if action_id == "handoff_acknowledge" else "In progress"
    assert all(expected in final_status(standin, ts) for _, ts in handoffs)


def test_a_resolution_submitted_twice_resolves_once(sqlite_bot):
    standin, bot, url = sqlite_bot
    standin.reset()
    handoffs = open_handoffs(bot, standin, 5, "resolve twice")
    for index, (number, ts) in enumerate(handoffs):
        assert at_once([(bot.events_url, press(bot, standin, "handoff_take", ts, SAM))]) == [200]
        standin.wait_for("chat.update", count=2 * index + 1)  # each earlier one was taken and resolved
        version = json.loads(sr.button_value(standin.message(CHANNEL, ts), "handoff_resolve", "").split(":")[1])
        meta = json.dumps({"handoff": number, "version": version, "channel": CHANNEL})
        submissions = [
            sr.view_submission(
                "handoff_resolve_note", {"resolution": {"note": "fixed"}}, user_id=SAM, private_metadata=meta
            )
            for _ in range(2)
        ]
        assert at_once([(bot.events_url, s) for s in submissions]) == [200, 200]
        standin.wait_for("chat.update", count=2 * index + 2)
    standin.wait_for("chat.postMessage", count=4 * 5, timeout=30)
    counts = audit_counts(url, "handoff.resolve")
    assert [counts[f"handoff #{number}"] for number, _ in handoffs] == [1] * 5
    assert [thread_posts(standin, ts, "resolved it") for _, ts in handoffs] == [1] * 5


@pytest.mark.postgres
def test_take_it_race_across_three_postgres_replicas_has_one_winner():
    with fresh_postgres_database() as url, SlackStandIn() as standin, running_replicas(standin, url, 3) as replicas:
        handoffs = open_handoffs(replicas[0], standin, ROUNDS, "replica race")
        for _, ts in handoffs:
            presses = [
                (replica.events_url, press(replica, standin, "handoff_take", ts, user))
                for replica, user in zip(replicas, (PRIYA, SAM, TOM), strict=True)
            ]
            assert at_once(presses) == [200, 200, 200]
        standin.wait_for("chat.update", count=ROUNDS, timeout=30)
        standin.wait_for("chat.postMessage", count=3 * ROUNDS, timeout=30)
        counts = audit_counts(url, "handoff.take")
        assert [counts[f"handoff #{number}"] for number, _ in handoffs] == [1] * ROUNDS
        assert [thread_posts(standin, ts, "took it") for _, ts in handoffs] == [1] * ROUNDS
