"""The party rules table (README, "Who may do what"): every action × every kind of actor.

A handoff from Ben (internal) to the provider, in the state each step needs, and one actor of
each kind: the requester, a colleague of theirs, their side's admin, someone of the target
side, the target side's admin, the assignee, and an outsider. Then the same for reviews,
digests, exports and leave. A refusal is a sentence and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import TandemError
from bot.handoffs.model import Forbidden, Handoff
from bot.handoffs.transitions import apply
from bot.matrix import rights
from bot.matrix.durations import Duration
from bot.matrix.model import Area, BusinessHours, Matrix, Person, Review, Side, SlaPolicy, SlaTarget
from bot.sla.clock import Pause

LONDON = ZoneInfo("Europe/London")
ALICE, BEN, CARA = "U0ALICE01", "U0BEN0001", "U0CARA001"  # internal: Alice is the admin
PRIYA, SAM, TOM = "U0PRIYA01", "U0SAM0001", "U0TOM0001"  # provider: Priya is the admin
OUTSIDER = "U0STRANGE"

MATRIX = Matrix(
    organisation="fenwick",
    name="Fenwick & Hale Solicitors",
    timezone="Europe/London",
    business_hours=(BusinessHours(frozenset(range(5)), time(8), time(18)),),
    channel="C0SHARED01",
    sides=(
        Side(
            "internal",
            "Fenwick IT",
            (
                Person(ALICE, "Alice Moss", "internal", admin=True),
                Person(BEN, "Ben Ode", "internal"),
                Person(CARA, "Cara Diaz", "internal"),
            ),
        ),
        Side(
            "provider",
            "Northgate IT",
            (
                Person(PRIYA, "Priya Shah", "provider", admin=True),
                Person(SAM, "Sam Lee", "provider"),
                Person(TOM, "Tom Reyes", "provider"),
            ),
            groups=(("soc", (SAM,)),),
        ),
    ),
    sla=SlaPolicy((SlaTarget("P2", Duration.parse("1h"), Duration.parse("8h")),), default="P2"),
    areas=(Area("strategy", "IT strategy", responsible=(CARA,), accountable=(CARA,)),),
    reviews=(
        Review("restore-test", "Backup restore test", "FREQ=MONTHLY;BYHOUR=10", owner="provider"),
        Review("roadmap", "Roadmap review", "FREQ=MONTHLY;BYHOUR=10", owner=BEN, area="strategy"),
        Review("soc-report", "SOC report", "FREQ=MONTHLY;BYHOUR=10", owner="provider.soc"),
    ),
)
NOW = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)
OPENED = Handoff(
    id=3,
    organisation="fenwick",
    kind="handoff",
    summary="Conveyancing laptop will not boot",
    priority="P2",
    requester=BEN,
    requester_side="internal",
    target_side="provider",
    target="provider",
    opened_at=datetime(2026, 1, 12, 9, 0, tzinfo=LONDON),
)
WORKING = replace(OPENED, status="in_progress", assignee=TOM, responded_at=OPENED.opened_at)
WAITING = replace(WORKING, status="waiting", pauses=(Pause(datetime(2026, 1, 12, 9, 30, tzinfo=LONDON)),))
STATE = {
    "acknowledge": OPENED,
    "take": OPENED,
    "wait": WORKING,
    "resume": WAITING,
    "hand_back": WORKING,
    "resolve": WORKING,
}
ACTORS = {
    "requester": BEN,
    "requester's colleague": CARA,
    "requester's admin": ALICE,
    "target side": SAM,
    "target side's admin": PRIYA,
    "assignee": TOM,
    "outsider": OUTSIDER,
}
# The README's table, as data: who may take each step of a handoff addressed to the other side.
ALLOWED = {
    "acknowledge": {"target side", "target side's admin", "assignee"},
    "take": {"target side", "target side's admin", "assignee"},
    "wait": {"target side", "target side's admin", "assignee"},
    "resume": {
        "requester",
        "requester's colleague",
        "requester's admin",
        "target side",
        "target side's admin",
        "assignee",
    },
    "hand_back": {"target side", "target side's admin", "assignee"},
    "resolve": {"requester", "requester's admin", "target side's admin", "assignee"},
}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("kind", list(ACTORS))
def test_handoff_steps_follow_the_table(action, kind):
    handoff, actor = STATE[action], ACTORS[kind]
    if kind in ALLOWED[action]:
        after, step = apply(handoff, action, actor, NOW, MATRIX)
        assert step.actor == actor and after != handoff
    else:
        with pytest.raises(Forbidden) as refusal:
            apply(handoff, action, actor, NOW, MATRIX)
        assert refusal.value.words and str(refusal.value).startswith(("Only", "You opened"))


def test_the_requesting_side_never_acknowledges_for_the_provider():
    """Ben asked; his colleague and his side's admin pressing Acknowledge would stop the provider's clock."""
    for actor in (CARA, ALICE):
        with pytest.raises(Forbidden, match=r"^Only someone of Northgate IT \(provider\) can acknowledge"):
            apply(OPENED, "acknowledge", actor, NOW, MATRIX)


def test_a_handoff_to_a_named_colleague_is_theirs_and_their_admins():
    to_cara = replace(OPENED, requester=BEN, target=CARA, target_side="internal")
    for actor in (CARA, ALICE):  # the named person, and the admin of her side
        assert apply(to_cara, "take", actor, NOW, MATRIX)[0].assignee == actor
    for actor in (BEN, SAM, PRIYA):  # the requester, and the other side (its admin too)
        with pytest.raises(Forbidden):
            apply(to_cara, "acknowledge", actor, NOW, MATRIX)
    with pytest.raises(Forbidden, match=r"^Only @U0CARA001 or an admin of Fenwick IT can take"):
        apply(to_cara, "take", SAM, NOW, MATRIX)


def test_a_handoff_to_a_group_is_the_groups_and_the_sides():
    to_soc = replace(OPENED, target="provider.soc")
    for actor in (SAM, TOM, PRIYA):
        assert apply(to_soc, "acknowledge", actor, NOW, MATRIX)[0].status == "acknowledged"


def test_handed_back_it_is_the_requesters_to_pick_up():
    handed, _ = apply(WORKING, "hand_back", TOM, NOW, MATRIX, "needs the partner's sign-off")
    assert apply(handed, "take", BEN, NOW, MATRIX)[0].assignee == BEN
    assert apply(handed, "acknowledge", ALICE, NOW, MATRIX)[0].status == "acknowledged"  # the side's admin
    for actor in (CARA, SAM):
        with pytest.raises(Forbidden):
            apply(handed, "take", actor, NOW, MATRIX)


# --- reviews --------------------------------------------------------------------------------------

REVIEW_ALLOWED = {
    # owner provider: the provider side and the admins
    "restore-test": {PRIYA, SAM, TOM, ALICE},
    # owner Ben, area strategy (accountable Cara): Ben's side, Cara, the admins
    "roadmap": {ALICE, BEN, CARA, PRIYA},
    # owner the provider's soc group: the group's side, the admins
    "soc-report": {PRIYA, SAM, TOM, ALICE},
}


@pytest.mark.parametrize("review_key", list(REVIEW_ALLOWED))
@pytest.mark.parametrize("actor", [*ACTORS.values()])
def test_reviews_are_closed_by_the_owners_side_the_accountable_person_or_an_admin(review_key, actor):
    review = MATRIX.review(review_key)
    assert review is not None
    if actor in REVIEW_ALLOWED[review_key]:
        assert rights.require_completer(MATRIX, review, actor).slack == actor
    else:
        with pytest.raises(TandemError, match=r"^Only ") as refusal:
            rights.require_completer(MATRIX, review, actor)
        said = str(refusal.value)
        assert ("can complete reviews" if actor == OUTSIDER else f"can mark '{review.name}' done") in said


def test_a_review_refusal_names_who_may_close_it():
    review = MATRIX.review("restore-test")
    assert review is not None
    with pytest.raises(TandemError) as refusal:
        rights.require_completer(MATRIX, review, BEN)
    assert str(refusal.value) == (
        "Only someone of Northgate IT (provider) or an admin can mark 'Backup restore test' done: "
        "it is theirs to check. Ask them to, in the channel."
    )
    roadmap = MATRIX.review("roadmap")
    assert roadmap is not None
    with pytest.raises(TandemError) as refusal:
        rights.require_completer(MATRIX, roadmap, SAM)
    assert str(refusal.value).startswith(
        "Only someone of Fenwick IT (internal), the accountable person @U0CARA001 or an admin can mark"
    )


# --- digests, exports, leave ----------------------------------------------------------------------


@pytest.mark.parametrize("doing", ["post a digest", "export the handoff evidence"])
@pytest.mark.parametrize("actor", [*ACTORS.values()])
def test_digests_and_exports_are_for_admins(doing, actor):
    if actor in (ALICE, PRIYA):
        assert rights.require_admin(MATRIX, actor, doing).admin
        return
    with pytest.raises(TandemError) as refusal:
        rights.require_admin(MATRIX, actor, doing)
    expected = (
        f"Only people of the two sides in the matrix of Fenwick & Hale Solicitors can {doing}: "
        "ask @U0ALICE01 or @U0PRIYA01 to add you."
        if actor == OUTSIDER
        else f"Only a matrix admin can {doing}: ask @U0ALICE01 or @U0PRIYA01."
    )
    assert str(refusal.value).startswith(expected)


@pytest.mark.parametrize("actor", [*ACTORS.values()])
def test_leave_is_set_by_the_persons_side_or_an_admin(actor):
    allowed = {ALICE, BEN, CARA, PRIYA}  # Ben's leave: internal people, and the provider's admin
    if actor in allowed:
        rights.require_leave_rights(MATRIX, actor, BEN, "record their leave")
        return
    with pytest.raises(TandemError, match=r"^Only "):
        rights.require_leave_rights(MATRIX, actor, BEN, "record their leave")


def test_an_areas_escalation_contact_paged_at_night_may_pick_it_up_but_not_stop_the_other_sides_clock():
    """Nobody internal is on duty for `strategy` at night, so Tandem pings its escalation contact
    Priya (provider): she can acknowledge and take it. When Sam (provider) asks the internal side,
    his own side's escalation contact may not stop the internal side's clock for him."""
    matrix = replace(MATRIX, areas=(replace(MATRIX.areas[0], escalation=(PRIYA, ALICE)),))
    own = replace(OPENED, requester=BEN, target="internal", target_side="internal", area="strategy")
    assert apply(own, "acknowledge", PRIYA, NOW, matrix)[0].assignee == PRIYA
    assert apply(own, "take", PRIYA, NOW, matrix)[0].assignee == PRIYA
    asked = replace(own, requester=SAM, requester_side="provider")
    with pytest.raises(Forbidden, match=r"^Only someone of Fenwick IT \(internal\) can acknowledge"):
        apply(asked, "acknowledge", PRIYA, NOW, matrix)
    assert apply(asked, "acknowledge", ALICE, NOW, matrix)[0].assignee == ALICE
    to_provider = replace(OPENED, area="strategy")  # Ben asks the provider: Alice may not stop its clock
    with pytest.raises(Forbidden):
        apply(to_provider, "acknowledge", ALICE, NOW, matrix)
    assert apply(to_provider, "acknowledge", PRIYA, NOW, matrix)[0].assignee == PRIYA
