"""The handoff status machine: who may take which step, and what each step changes.

Buttons in Slack, console commands and stale clicks from an old message all arrive here, so
every rule is checked on each step rather than trusted to the buttons shown. A refused step
raises `Forbidden` with a sentence for the actor and leaves the handoff as it was; an allowed
one returns the next value and a `Transition` for the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.calendar import as_utc
from bot.errors import Who, Words, listing
from bot.handoffs.model import ACTIONS, Forbidden, Handoff, Transition
from bot.matrix.model import SIDES, Matrix
from bot.sla.clock import Pause

_BUTTONS = {
    "open": ("acknowledge", "take", "hand_back", "resolve"),
    "handed_back": ("acknowledge", "take", "resolve"),
    "acknowledged": ("take", "wait", "hand_back", "resolve"),
    "in_progress": ("take", "wait", "hand_back", "resolve"),
    "waiting": ("resume", "hand_back", "resolve"),
    "resolved": (),
}


def available_actions(handoff: Handoff) -> tuple[str, ...]:
    """The buttons to show for the handoff's status; `apply` still checks who presses them."""
    return _BUTTONS[handoff.status]


def apply(
    handoff: Handoff, action: str, actor: str, now: datetime, matrix: Matrix, note: str | None = None
) -> tuple[Handoff, Transition]:
    """Take `action` as `actor` at `now`: the changed handoff and the step, or `Forbidden`."""
    step = _STEPS.get(action)
    if step is None:
        raise ValueError(f"unknown handoff action {action!r}: expected one of {', '.join(ACTIONS)}")
    now = as_utc(now)
    if actor not in matrix.people:
        admins = listing((p.slack for p in matrix.admins()), empty="an admin", sep=" or ")
        raise Forbidden(
            "Only people of the two sides in the matrix can act on handoffs: ask ",
            *admins,
            " to add you to the matrix.",
        )
    if not handoff.is_open:
        raise Forbidden(
            "This handoff was already resolved by ",
            Who(handoff.assignee or handoff.requester),
            ": open a new handoff if something is still needed.",
        )
    after = step(handoff, actor, now, matrix, note)
    return after, Transition(action, actor, now, handoff.status, after.status, note)


def _acknowledge(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    _require_addressee(h, actor, matrix, "acknowledge")
    if h.status not in ("open", "handed_back"):
        raise Forbidden(
            "This handoff is already ",
            *status_words(h),
            ", so there is nothing to acknowledge: use Take it to pick it up yourself.",
        )
    return replace(h, status="acknowledged", assignee=h.assignee or actor, responded_at=h.responded_at or now)


def _take(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    _require_addressee(h, actor, matrix, "take")
    responded = h.responded_at or (now if actor != h.requester else None)
    return replace(h, status="in_progress", assignee=actor, responded_at=responded, pauses=_unpause(h, now))


def _wait(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    _require_holder(h, actor, matrix, "put this handoff on hold for the requester")
    if h.status == "waiting":
        raise Forbidden("This handoff is already waiting on ", Who(h.requester), ": use Resume when they reply.")
    return replace(h, status="waiting", pauses=(*h.pauses, Pause(now, None)))


def _resume(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    if h.status != "waiting":
        raise Forbidden("This handoff is ", *status_words(h), ", not waiting, so there is nothing to resume.")
    return replace(h, status="in_progress" if h.assignee else "acknowledged", pauses=_unpause(h, now))


def _hand_back(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    if h.target_side == h.requester_side:
        raise Forbidden(
            "This handoff is already with ",
            matrix.describe_party(h.requester_side),
            ", the side that asked, so there is nothing to hand back: take it or resolve it.",
        )
    _require_holder(h, actor, matrix, "hand this handoff back")
    return replace(
        h,
        status="handed_back",
        target_side=h.requester_side,
        target=h.requester,
        assignee=h.requester,
        responded_at=h.responded_at or now,
        pauses=_unpause(h, now),
    )


def _resolve(h: Handoff, actor: str, now: datetime, matrix: Matrix, note: str | None) -> Handoff:
    person = matrix.people[actor]
    if actor not in (h.assignee, h.requester) and not person.admin:
        holder: Words = (Who(h.assignee), ", ") if h.assignee else ()
        raise Forbidden(
            "Only ",
            *holder,
            Who(h.requester),
            " (who asked) or an admin can resolve this handoff: ask one of them, or use Take it first.",
        )
    # The resolver becomes the assignee so the closed record names who closed it.
    return replace(
        h,
        status="resolved",
        assignee=actor,
        resolved_at=now,
        resolution=note,
        responded_at=h.responded_at or now,
        pauses=_unpause(h, now),
    )


_STEPS: dict[str, Callable[[Handoff, str, datetime, Matrix, str | None], Handoff]] = {
    "acknowledge": _acknowledge,
    "take": _take,
    "wait": _wait,
    "resume": _resume,
    "hand_back": _hand_back,
    "resolve": _resolve,
}


def _require_holder(h: Handoff, actor: str, matrix: Matrix, doing: str) -> None:
    """Only whoever holds the handoff, its assignee or the side it now waits on, may pass it on."""
    if actor != h.assignee and matrix.side_of(actor) != h.target_side:
        holder: Words = (Who(h.assignee), " or ") if h.assignee else ()
        raise Forbidden(
            "Only ",
            *holder,
            "someone of ",
            matrix.describe_party(h.target_side),
            f" can {doing}: use Take it first if it is yours now.",
        )


def may_pick_up(h: Handoff, actor: str, matrix: Matrix) -> bool:
    """Acknowledge and Take it belong to the side the handoff is addressed to, never the side that asked.

    That is: whoever the target names (a person, a group, a rota), the target side's admins,
    anyone of the target side when it is not the requester's own, and the escalation contacts of
    its area (at night Tandem pings them when nobody is on duty, and someone paged to act must be
    able to) unless that would let the requesting side stop the other side's clock. The
    requester picks it up only once it was handed back to them.
    """
    if actor == h.requester:
        return h.target == actor
    if actor in matrix.expand(h.target):
        return True
    if _escalation_contact(h, actor, matrix) and (
        h.target_side == h.requester_side or matrix.side_of(actor) != h.requester_side
    ):
        return True
    person = matrix.people[actor]
    return person.side == h.target_side and (person.admin or h.target_side != h.requester_side)


def _escalation_contact(h: Handoff, actor: str, matrix: Matrix) -> bool:
    area = matrix.area(h.area) if h.area else None
    return area is not None and actor in matrix.expand_all(area.escalation)


def _require_addressee(h: Handoff, actor: str, matrix: Matrix, doing: str) -> None:
    if may_pick_up(h, actor, matrix):
        return
    if actor == h.requester:
        raise Forbidden(
            "You opened this handoff, so ",
            matrix.describe_party(h.target),
            f" can {doing} it, not you: use Resolve if it is no longer needed.",
        )
    side = matrix.side(h.target_side)
    if h.target in SIDES or side is None:
        who: Words = ("someone of ", matrix.describe_party(h.target_side))
    else:
        who = (matrix.describe_party(h.target), f" or an admin of {side.name}")
    raise Forbidden(
        "Only ", *who, f" can {doing} this handoff: it is addressed to them. Ask in its thread if they need a hand."
    )


def _unpause(h: Handoff, now: datetime) -> tuple[Pause, ...]:
    """The pauses with a still-open one ended at `now`, so the resolve clock runs again."""
    if h.pauses and h.pauses[-1].end is None:
        return (*h.pauses[:-1], Pause(h.pauses[-1].start, now))
    return h.pauses


def status_words(h: Handoff) -> Words:
    """The status as a phrase, naming who holds it where that helps the actor."""
    holder: Words = (" with ", Who(h.assignee)) if h.assignee else ()
    if h.status == "acknowledged":
        return ("acknowledged", *holder)
    if h.status == "in_progress":
        return ("in progress", *holder)
    if h.status == "waiting":
        return ("waiting on ", Who(h.requester))
    return (h.status.replace("_", " "),)
