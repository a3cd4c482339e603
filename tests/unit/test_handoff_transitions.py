"""The handoff status machine: every allowed step's effect and every refusal's sentence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import TandemError, Who
from bot.handoffs.model import ACTIONS, Forbidden, Handoff, Transition
from bot.handoffs.transitions import apply, available_actions
from bot.matrix.durations import Duration
from bot.matrix.model import BusinessHours, Matrix, Person, Side, SlaPolicy, SlaTarget
from bot.sla.clock import Pause

LONDON = ZoneInfo("Europe/London")
ALICE, BEN, PRIYA, SAM, OUTSIDER = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001", "U0STRANGE"

MATRIX = Matrix(
    organisation="acme",
    name="Acme Dental Group",
    timezone="Europe/London",
    business_hours=(BusinessHours(frozenset(range(5)), time(8), time(18)),),
    channel="C0SHARED01",
    sides=(
        Side(
            "internal",
            "Acme IT",
            (Person(ALICE, "Alice Moss", "internal", admin=True), Person(BEN, "Ben Ode", "internal")),
        ),
        Side(
            "provider",
            "Red Kite IT",
            (Person(PRIYA, "Priya Shah", "provider", admin=True), Person(SAM, "Sam Lee", "provider")),
            groups=(("soc", (SAM,)),),
        ),
    ),
    sla=SlaPolicy((SlaTarget("P2", Duration.parse("1h"), Duration.parse("8h")),)),
    holidays=(date(2026, 12, 25), date(2026, 12, 28)),
)


def at(h: int, mi: int = 0, d: int = 12) -> datetime:
    return datetime(2026, 1, d, h, mi, tzinfo=LONDON)  # Monday 12 January 2026 by default


OPENED = at(9)
NEW = Handoff(
    id=7,
    organisation="acme",
    kind="handoff",
    summary="Firewall rule for the new VPN",
    priority="P2",
    requester=BEN,
    requester_side="internal",
    target_side="provider",
    target="provider",
    opened_at=OPENED,
)


def refused(handoff: Handoff, action: str, actor: str, now: datetime | None = None, note: str | None = None) -> str:
    """The refusal, people shown as `<@id>`: the domain names them as `Who`, never as markup."""
    with pytest.raises(Forbidden) as info:
        apply(handoff, action, actor, now or at(10), MATRIX, note)
    words = info.value.words
    assert not any(isinstance(w, str) and "<@" in w for w in words), words
    return "".join(f"<@{w.slack}>" if isinstance(w, Who) else w for w in words)


# --- buttons -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("open", ("acknowledge", "take", "hand_back", "resolve")),
        ("handed_back", ("acknowledge", "take", "resolve")),
        ("acknowledged", ("take", "wait", "hand_back", "resolve")),
        ("in_progress", ("take", "wait", "hand_back", "resolve")),
        ("waiting", ("resume", "hand_back", "resolve")),
        ("resolved", ()),
    ],
)
def test_available_actions_follow_the_status(status, buttons):
    assert available_actions(replace(NEW, status=status)) == buttons


def test_the_model_refuses_unknown_values_and_knows_open_from_resolved():
    assert NEW.is_open and not replace(NEW, status="resolved").is_open
    with pytest.raises(ValueError, match="status"):
        replace(NEW, status="closed")
    with pytest.raises(ValueError, match="kind"):
        replace(NEW, kind="ticket")
    with pytest.raises(ValueError, match="target_side"):
        replace(NEW, target_side="shared")


# --- guards common to every action ---------------------------------------------------------------


def test_unknown_action_is_a_bug_not_a_user_error():
    with pytest.raises(ValueError, match="unknown handoff action 'escalate'") as info:
        apply(NEW, "escalate", SAM, at(10), MATRIX)
    assert not isinstance(info.value, TandemError)


@pytest.mark.parametrize("action", ACTIONS)
def test_outsiders_cannot_act(action):
    message = refused(NEW, action, OUTSIDER)
    assert message.startswith("Only people of the two sides")
    assert f"ask <@{ALICE}> or <@{PRIYA}> to add you" in message  # the admins who can add them
    assert issubclass(Forbidden, TandemError)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_resolved_handoff_refuses_everything(action):
    done, _ = apply(NEW, "resolve", BEN, at(10), MATRIX, "not needed")
    message = refused(done, action, PRIYA, at(11))
    assert message.startswith(f"This handoff was already resolved by <@{BEN}>")


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        apply(NEW, "take", SAM, datetime(2026, 1, 12, 10), MATRIX)


# --- acknowledge ---------------------------------------------------------------------------------


def test_acknowledge_by_the_other_side_starts_the_work():
    after, step = apply(NEW, "acknowledge", SAM, at(9, 20), MATRIX, "on it")
    assert after == replace(NEW, status="acknowledged", assignee=SAM, responded_at=at(9, 20).astimezone(UTC))
    assert step == Transition("acknowledge", SAM, at(9, 20), "open", "acknowledged", "on it")


def test_acknowledge_keeps_an_existing_assignee_and_first_response():
    aimed = replace(NEW, status="handed_back", assignee=PRIYA, responded_at=at(9, 5))
    after, _ = apply(aimed, "acknowledge", SAM, at(9, 30), MATRIX)
    assert (after.status, after.assignee, after.responded_at) == ("acknowledged", PRIYA, at(9, 5))


def test_the_requester_cannot_acknowledge_their_own_handoff():
    message = refused(NEW, "acknowledge", BEN)
    assert message == (
        "You opened this handoff, so Red Kite IT (provider) can acknowledge it, not you: "
        "use Resolve if it is no longer needed."
    )


def test_acknowledge_after_work_started_points_to_take():
    started, _ = apply(NEW, "take", SAM, at(9, 10), MATRIX)
    assert refused(started, "acknowledge", PRIYA) == (
        f"This handoff is already in progress with <@{SAM}>, so there is nothing to acknowledge: "
        "use Take it to pick it up yourself."
    )


# --- take ----------------------------------------------------------------------------------------


def test_take_assigns_the_actor_and_counts_as_a_response():
    acked, _ = apply(NEW, "acknowledge", SAM, at(9, 20), MATRIX)
    after, step = apply(acked, "take", PRIYA, at(9, 40), MATRIX)
    assert (after.status, after.assignee, after.responded_at) == ("in_progress", PRIYA, at(9, 20))
    assert (step.before, step.after) == ("acknowledged", "in_progress")


def test_the_requesting_side_cannot_take_it_until_it_is_handed_back():
    assert refused(NEW, "take", ALICE) == (
        "Only someone of Red Kite IT (provider) can take this handoff: it is addressed to them. "
        "Ask in its thread if they need a hand."
    )
    handed, _ = apply(NEW, "hand_back", SAM, at(9, 30), MATRIX)
    after, _ = apply(handed, "take", BEN, at(9, 40), MATRIX)
    assert (after.status, after.assignee, after.responded_at) == ("in_progress", BEN, at(9, 30))


def test_take_while_waiting_ends_the_pause():
    waiting = replace(NEW, status="waiting", assignee=SAM, responded_at=at(9, 5), pauses=(Pause(at(9, 30)),))
    after, _ = apply(waiting, "take", PRIYA, at(11), MATRIX)
    assert (after.status, after.assignee, after.pauses) == ("in_progress", PRIYA, (Pause(at(9, 30), at(11)),))


# --- wait and resume -----------------------------------------------------------------------------


def test_wait_opens_a_pause_and_resume_closes_it():
    started, _ = apply(NEW, "take", SAM, at(9, 10), MATRIX)
    waiting, step = apply(started, "wait", SAM, at(10), MATRIX, "which VPN subnet?")
    assert (waiting.status, waiting.pauses) == ("waiting", (Pause(at(10), None),))
    assert (step.before, step.after, step.note) == ("in_progress", "waiting", "which VPN subnet?")
    resumed, step = apply(waiting, "resume", BEN, at(11, 30), MATRIX)  # anyone of either side
    assert (resumed.status, resumed.pauses) == ("in_progress", (Pause(at(10), at(11, 30)),))
    again, _ = apply(resumed, "wait", PRIYA, at(14), MATRIX)  # someone of the target side
    assert again.pauses == (Pause(at(10), at(11, 30)), Pause(at(14), None))


def test_resume_without_an_assignee_goes_back_to_acknowledged():
    waiting = replace(NEW, status="waiting", responded_at=at(9, 5), pauses=(Pause(at(9, 30)),))
    after, _ = apply(waiting, "resume", ALICE, at(10), MATRIX)
    assert (after.status, after.assignee) == ("acknowledged", None)


def test_waiting_twice_is_refused():
    waiting, _ = apply(replace(NEW, status="in_progress", assignee=SAM), "wait", SAM, at(10), MATRIX)
    assert refused(waiting, "wait", SAM, at(10, 5)) == (
        f"This handoff is already waiting on <@{BEN}>: use Resume when they reply."
    )


def test_only_the_holder_can_wait_on_the_requester():
    started = replace(NEW, status="in_progress", assignee=SAM)
    assert refused(started, "wait", BEN) == (
        f"Only <@{SAM}> or someone of Red Kite IT (provider) can put this handoff on hold for the requester: "
        "use Take it first if it is yours now."
    )
    assert refused(started, "wait", ALICE).startswith("Only")


def test_resume_needs_a_waiting_handoff():
    started = replace(NEW, status="in_progress", assignee=SAM)
    assert refused(started, "resume", SAM) == (
        f"This handoff is in progress with <@{SAM}>, not waiting, so there is nothing to resume."
    )
    assert "is open, not waiting" in refused(NEW, "resume", SAM)


# --- hand back -----------------------------------------------------------------------------------


def test_hand_back_passes_it_to_the_requester():
    waiting = replace(NEW, status="waiting", assignee=SAM, pauses=(Pause(at(9, 30)),))
    after, step = apply(waiting, "hand_back", SAM, at(10), MATRIX, "this is a licensing question")
    assert after == replace(
        waiting,
        status="handed_back",
        target_side="internal",
        target=BEN,
        assignee=BEN,
        responded_at=at(10).astimezone(UTC),
        pauses=(Pause(at(9, 30), at(10)),),
    )
    assert (step.before, step.after, step.note) == ("waiting", "handed_back", "this is a licensing question")


def test_hand_back_by_an_assignee_from_the_requesters_side():
    # A named colleague (Alice) took it before it went anywhere else; she may still pass it back to Ben.
    taken_by_alice = replace(NEW, status="in_progress", assignee=ALICE, responded_at=at(9, 5))
    after, _ = apply(taken_by_alice, "hand_back", ALICE, at(10), MATRIX)
    assert (after.target_side, after.assignee, after.responded_at) == ("internal", BEN, at(9, 5))


def test_hand_back_refused_to_anyone_not_holding_it():
    assert refused(NEW, "hand_back", ALICE) == (
        "Only someone of Red Kite IT (provider) can hand this handoff back: use Take it first if it is yours now."
    )


def test_nothing_to_hand_back_once_it_is_with_the_requesters_side():
    handed, _ = apply(NEW, "hand_back", PRIYA, at(10), MATRIX)
    message = refused(handed, "hand_back", BEN)
    assert message == (
        "This handoff is already with Acme IT (internal), the side that asked, "
        "so there is nothing to hand back: take it or resolve it."
    )
    same_side = replace(NEW, target_side="internal", target=ALICE)
    assert refused(same_side, "hand_back", ALICE) == message


# --- resolve -------------------------------------------------------------------------------------


def test_the_assignee_resolves_with_a_note():
    waiting = replace(NEW, status="waiting", assignee=SAM, responded_at=at(9, 5), pauses=(Pause(at(9, 30)),))
    after, step = apply(waiting, "resolve", SAM, at(12), MATRIX, "rule added")
    assert after == replace(
        waiting,
        status="resolved",
        resolved_at=at(12).astimezone(UTC),
        resolution="rule added",
        pauses=(Pause(at(9, 30), at(12)),),
    )
    assert step == Transition("resolve", SAM, at(12), "waiting", "resolved", "rule added")


def test_the_requester_or_an_admin_may_resolve_and_become_the_assignee():
    by_requester, _ = apply(NEW, "resolve", BEN, at(9, 15), MATRIX)
    assert (by_requester.assignee, by_requester.resolution, by_requester.responded_at) == (BEN, None, at(9, 15))
    started = replace(NEW, status="in_progress", assignee=SAM, responded_at=at(9, 5))
    by_admin, _ = apply(started, "resolve", PRIYA, at(11), MATRIX, "duplicate")
    assert (by_admin.status, by_admin.assignee, by_admin.responded_at) == ("resolved", PRIYA, at(9, 5))
    by_other_admin, _ = apply(started, "resolve", ALICE, at(11), MATRIX)
    assert by_other_admin.status == "resolved"


def test_others_cannot_resolve():
    started = replace(NEW, status="in_progress", assignee=SAM)
    with_ben_as_requester = replace(started, requester=ALICE)  # Ben is neither assignee, requester nor admin
    assert refused(with_ben_as_requester, "resolve", BEN) == (
        f"Only <@{SAM}>, <@{ALICE}> (who asked) or an admin can resolve this handoff: "
        "ask one of them, or use Take it first."
    )
    assert refused(replace(NEW, requester=ALICE), "resolve", SAM) == (
        f"Only <@{ALICE}> (who asked) or an admin can resolve this handoff: ask one of them, or use Take it first."
    )
