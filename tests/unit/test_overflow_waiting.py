"""Overflow held for approval is never out of sight: the daily digest lists it with who decides
(named once), and `/tandem sla` counts it, after or instead of "No open handoffs"."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from bot.contract.approval import OUT_OF_SCOPE, OVER_BANK, Hold, OverflowRequest
from bot.digests.content import daily_digest
from bot.handoffs.model import Handoff
from bot.services.handoffs import SlaOverview
from handlers.views.digests import daily_digest_blocks
from handlers.views.handoff import sla_reply

ALICE, BEN, CARA = "U0ALICE01", "U0BEN0001", "U0CARA001"
HELD_AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # Wed 02 Dec, 10:00 in London
MORNING = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)


def request(number: int, summary: str, *reasons: str, requester: str = BEN) -> OverflowRequest:
    return OverflowRequest(
        id=number,
        organisation="harbour-finch",
        requester=requester,
        summary=summary,
        priority="P3",
        hold=Hold(reasons or (OUT_OF_SCOPE,), None, "December 2026" if OVER_BANK in reasons else None),
        approvers=(ALICE,),
        requested_at=HELD_AT,
    )


def digest(matrix, *awaiting: OverflowRequest, deciders: tuple[str, ...] = (ALICE,)):
    quiet = daily_digest(matrix, [], [], [], [], MORNING)
    return replace(quiet, awaiting=awaiting, deciders=deciders if awaiting else ())


def test_a_morning_with_overflow_waiting_for_approval_is_not_quiet(example_matrix):
    assert digest(example_matrix).quiet
    assert not digest(example_matrix, request(1, "paint the waiting room")).quiet


def test_the_digest_lists_what_waits_since_when_why_and_names_who_decides_once(example_matrix):
    waiting = digest(
        example_matrix,
        request(1, "paint the waiting room"),
        request(2, "rewire the <!channel> office", OUT_OF_SCOPE, OVER_BANK, requester=CARA),
    )
    text, blocks = daily_digest_blocks(example_matrix, waiting)
    assert text.endswith("0 open handoffs, 0 breached, 0 at risk. 2 overflow requests wait for approval.")
    [section] = [b["text"]["text"] for b in blocks if "Waiting for approval" in json.dumps(b)]
    title, first, second, decides = section.split("\n")
    assert title == "*Waiting for approval*"
    assert first.startswith(f"• *Held request #1* P3 paint the waiting room — asked by <@{BEN}> <!date^")
    assert first.endswith("|Wed 02 Dec 10:00 GMT>, out of scope")
    assert second.startswith(f"• *Held request #2* P3 rewire the &lt;!channel&gt; office — asked by <@{CARA}>")
    assert second.endswith(", out of scope and over the bank for December 2026")
    assert decides == f"<@{ALICE}> decides: Approve or Decline on each request's message in this channel."
    assert json.dumps(blocks).count(f"<@{ALICE}>") == 1


def test_whoever_covers_an_approver_on_leave_is_the_one_named(example_matrix):
    _, blocks = daily_digest_blocks(
        example_matrix, digest(example_matrix, request(1, "paint the waiting room"), deciders=(BEN, CARA))
    )
    shown = json.dumps(blocks)
    assert f"<@{BEN}> or <@{CARA}> decides: Approve or Decline" in shown and f"<@{ALICE}>" not in shown


def test_sla_says_what_waits_for_approval_instead_of_no_open_handoffs(example_matrix):
    overview = SlaOverview(0, 0, [], None, awaiting=(1, 2), deciders=(ALICE,))
    reply = sla_reply(example_matrix, overview, MORNING)
    line = f"2 overflow requests wait for approval: held #1, held #2 — <@{ALICE}> decides."
    assert reply.text == f"No open handoffs. {line}"
    assert [b["text"]["text"] for b in reply.blocks] == ["No open handoffs.", f":hourglass_flowing_sand: {line}"]
    one = sla_reply(example_matrix, SlaOverview(0, 0, [], None, awaiting=(3,), deciders=(BEN, CARA)), MORNING)
    assert (
        one.text == f"No open handoffs. 1 overflow request waits for approval: held #3 — <@{BEN}> or <@{CARA}> decides."
    )
    nothing = sla_reply(example_matrix, SlaOverview(0, 0, [], None), MORNING)
    assert nothing.text == "No open handoffs." and "approval" not in json.dumps(nothing.blocks)


def test_sla_with_open_handoffs_lists_them_then_what_waits_for_approval(example_matrix):
    opened = Handoff(
        id=4,
        organisation="harbour-finch",
        kind="handoff",
        summary="the plotter needs a new drum",
        priority="P3",
        requester=BEN,
        requester_side="internal",
        target_side="provider",
        target="provider",
        opened_at=HELD_AT,
    )
    reply = sla_reply(example_matrix, SlaOverview(1, 0, [opened], None, awaiting=(1,), deciders=(ALICE,)), MORNING)
    line = f"1 overflow request waits for approval: held #1 — <@{ALICE}> decides."
    assert reply.text == f"1 open handoff, 0 breached. {line}"
    texts = [json.dumps(b, ensure_ascii=False) for b in reply.blocks]
    assert "the plotter needs a new drum" in texts[1] and line in texts[2] and "Narrow it" in texts[3]
